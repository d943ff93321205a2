"""demo_site, the project package: the ASGI entry point, sessions, the HTTP cap.

These run before tests/e2e/, whose sync Playwright leaves an event loop running in
the main thread, under which no later async test could run."""
