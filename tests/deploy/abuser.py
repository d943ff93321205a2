"""An abusive chat client, run as its own process beside the deploy tests' visitor:
cookie-less sockets from 127.0.0.2 sending tiny invalid frames as fast as they can,
reconnecting whenever closed. It prints the close codes it was answered with.

    python -m tests.deploy.abuser http://127.0.0.1:8000 6
"""

import asyncio
import collections
import json
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.typing import Origin


async def abuse(base_url: str, seconds: float) -> collections.Counter:
    until = time.monotonic() + seconds
    codes: collections.Counter = collections.Counter()
    while time.monotonic() < until:
        try:
            async with connect(
                base_url.replace("http", "ws", 1) + "/ws/chat/",
                origin=Origin(base_url),
                proxy=None,
                local_addr=("127.0.0.2", 0),
                open_timeout=5,
                max_queue=None,  # it reads nothing, but must see the close
            ) as socket:
                while time.monotonic() < until:
                    await socket.send("{")
                    await asyncio.sleep(0)  # let the close come in
        except ConnectionClosed as closed:
            codes[closed.rcvd.code if closed.rcvd else 1006] += 1
        except (WebSocketException, OSError, TimeoutError):
            codes[0] += 1
    return codes


if __name__ == "__main__":
    print(json.dumps(asyncio.run(abuse(sys.argv[1], float(sys.argv[2])))))
