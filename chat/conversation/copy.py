"""What the chat page says to the visitor, declared once here and rendered into the
page as data (a `json_script` block), so static/chat/*.js holds no product copy.

`{name}` marks a value the page fills in; the close notices are keyed by the close
code the server sends (frames.CloseCode). The customer card's labels sit under "card"
by kind of record, with those more than one kind uses under "shared"."""

from chat.conversation.frames import CloseCode

CLOSE_NOTICES: dict[CloseCode, str] = {
    CloseCode.FRAME_TOO_LARGE: (
        "A message was too large to send, so the connection was reset."
    ),
    CloseCode.TOO_MANY_INVALID_FRAMES: (
        "The connection was reset after too many messages it could not read."
    ),
    CloseCode.TOO_FAST: "Messages came too fast, so the connection was paused.",
    CloseCode.TOO_MANY_SOCKETS: (
        "Too many chats are open from your network, so this one was closed."
    ),
}

CARD_COPY: dict[str, dict[str, str]] = {
    "shared": {
        "summary": "Customer summary",
        "greeting": "Welcome back,",
        "member_since": "Member since",
        "card_ending": "•••• {last4}",
        "amount": "Amount",
        "meter_figure": "{spent} of {limit}",
        "meter_to_go": "{amount} to go",
    },
    "banking": {
        "checking_balance": "Checking balance",
        "checking_account": "Checking account",
        "accounts": "Accounts",
        "checking": "Checking",
        "savings": "Savings",
        "credit_score": "Credit score",
        "credit_limit": "Credit limit",
        "excellent": "Excellent",
        "very_good": "Very good",
        "good": "Good",
        "fair": "Fair",
        "poor": "Poor",
        "transactions": "Recent transactions",
        "date": "Date",
        "description": "Description",
        "category": "Category",
        "no_transactions": "No recent transactions.",
    },
    "insurance": {
        "total_coverage": "Total coverage",
        "monthly_premium": "Monthly premium",
        "your_coverage": "Your coverage",
        "active_policy": "{count} active policy",
        "active_policies": "{count} active policies",
        "risk_profile": "Risk profile",
        "policies": "Policies",
        "policy": "Policy",
        "coverage": "Coverage",
        "deductible": "Deductible",
        "premium": "Premium",
        "renews": "Renews",
        "premium_per_month": "{premium}/mo",
        "no_policies": "No active policies.",
        "claims": "Claims",
        "claim": "Claim",
        "filed": "Filed",
        "status": "Status",
        "claim_of_type": "{type} claim",
        "no_claims": "No claims on file.",
    },
    "healthcare": {
        "member_id": "Member ID",
        "plan": "Plan",
        "date_of_birth": "Date of birth",
        "plan_progress": "Plan year progress",
        "deductible": "Deductible",
        "out_of_pocket": "Out-of-pocket maximum",
        "primary_care": "Primary care provider",
        "appointments": "Upcoming appointments",
        "appointment_when": "{date} at {time}",
        "no_appointments": "No upcoming appointments.",
        "prescriptions": "Prescriptions",
        "medication": "Medication",
        "how_to_take": "How to take",
        "refills": "Refills",
        "no_refills": "No refills left",
        "refill_left": "{count} refill left",
        "refills_left": "{count} refills left",
        "no_prescriptions": "No active prescriptions.",
    },
    "generic": {
        "account_value": "Account value",
        "customer_since": "Customer since",
        "status": "Status",
        "status_member": "{status} member",
        "your_account": "Your account",
        "since": "Since {date}",
        "loyalty_status": "Loyalty status",
        "loyalty_points": "Loyalty points",
        "recent_activity": "Recent activity",
        "transactions": "Transactions",
    },
}

CHAT_COPY: dict[str, str | dict[str, str] | dict[str, dict[str, str]]] = {
    "connected": "Connected",
    "reconnecting": "Reconnecting…",
    "close_notices": {str(code.value): text for code, text in CLOSE_NOTICES.items()},
    "retrying_in": "Trying again in {seconds}.",
    "not_connected": "Not connected: you can send again once we reconnect.",
    "replying": "{company} is replying…",
    "assistant": "The assistant",
    "assistant_short": "Assistant",
    "visitor": "You",
    "typing": "The assistant is typing",
    "offline_model": "Replies come from {model}, built into this demo.",
    "interrupted": "This reply was interrupted.",
    "failed": "This reply could not be completed.",
    "cut_short": "Reply cut short.",
    "reply_failed": "The assistant could not answer.",
    "retry": "Retry",
    "refused": "Something went wrong.",
    "send_again_in": "You can send again in {seconds}.",
    "second": "{count} second",
    "seconds": "{count} seconds",
    "dismiss": "Dismiss this notice",
    "switched_mode": "You're now chatting with {company}",
    "conjuring": "Presto-Change-O! Conjuring your {requested}…",
    "generated_mode": "Conjured: you're now chatting with {company} ({name})",
    "new_persona": "Signed in as {name}",
    "cleared": "New conversation",
    "card": CARD_COPY,
}
