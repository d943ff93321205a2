"""Help articles for the modes there are, and a prompt that reads them.

Every mode without articles gets its kind's defaults, as they were when this ran
(copied here, so the migration does the same on any machine, whatever the kinds'
files say later); a mode of a kind not listed here gets none. The built-in and
generated modes' active prompts gain a `help_articles` block, unless they read the
variable already; staff's own modes keep their words. Going back keeps the articles
and versions: staff may have edited them since.
"""

import django.core.validators
from django.db import migrations, models

import chat.models

HELP_BLOCK = """{% if help_articles %}
Help articles that match the customer's message (the business's own how-tos: when \
one answers the question, give its steps, naming the customer's records above where \
they fit)
{{ help_articles }}
{% endif %}"""
PROMPT_NOTE = "Help articles: the how-tos that match each message"

DEFAULT_ARTICLES = {
    "banking": [
        (
            "Report a lost or stolen card",
            "lost card, stolen card, lost, stolen, missing card, lock card, freeze card, card",
            "Lock your card straight away in the mobile app under Cards, then Lock card, so nothing new can be charged to it. Then call the number on the back of any of your cards, or ask here to be connected with the fraud team, to cancel it and order a replacement. The new card arrives in 5 to 7 business days, and you are not responsible for charges you did not make.",
        ),
        (
            "Dispute a charge",
            "dispute, charge, unrecognized charge, unrecognised charge, wrong charge, double charged, chargeback, fraud",
            "Find the charge under Recent activity in the app or online banking, open it and choose Dispute this charge. Tell us what went wrong and add any receipts or emails you have; we usually give a provisional credit within 10 business days while we look into it. If you do not recognize the charge at all, lock your card first.",
        ),
        (
            "Set up a transfer",
            "transfer, move money, send money, recurring transfer, standing order, pay someone, wire",
            "In the app or online banking, choose Transfers, then pick the account to send from and the account or person to send to. Enter the amount and the date, and choose Repeat for a regular transfer. Transfers between your own accounts arrive at once; to other banks they take 1 to 2 business days.",
        ),
        (
            "Update your address",
            "address, new address, change address, moving, move house, mailing address",
            "Sign in to online banking, open Profile, then Contact details, and enter your new address. We send a confirmation to your old address and to your email. Cards and statements go to the new address from the next mailing.",
        ),
    ],
    "insurance": [
        (
            "File a claim",
            "claim, file a claim, accident, crash, collision, damage, theft, break-in, storm, flood",
            "Make sure everyone is safe first, and call emergency services if anyone is hurt. Then start your claim in the app or online under Claims, then New claim, or call the 24-hour claims line; have the date, the place, what happened and any photos or police report number to hand. A claims adjuster contacts you within one business day with the next steps.",
        ),
        (
            "Add a driver or vehicle",
            "add a driver, add driver, new driver, teen driver, driver, add a vehicle, new car, vehicle",
            "Sign in, open your Auto policy and choose Add driver or Add vehicle. For a driver you need their date of birth and license number; for a vehicle, its VIN, year, make and model. We show the new premium before you confirm, and the cover starts on the date you choose.",
        ),
        (
            "Change your coverage",
            "change coverage, coverage, increase coverage, raise my deductible, lower my premium, limits, add coverage",
            "Sign in, open the policy and choose Change coverage to see your limits and deductible next to the options. Pick the change and a start date, and we show how your premium changes before you confirm. For a change we cannot make online, ask here to be connected with a licensed agent.",
        ),
        (
            "Update your address",
            "address, new address, change address, moving, move house, garaging address",
            "Sign in, open Profile, then Contact details, and enter your new address and the date you move. Where you live can change what your policies cost, so we show any change to your premium before you confirm. If you are moving to another state, talk to an agent first.",
        ),
    ],
    "healthcare": [
        (
            "Refill a prescription",
            "refill, prescription, medication, medicine, pharmacy, repeat prescription, run out",
            "In the app or on the member site, open Prescriptions, choose the medication and select Request refill, then pick your pharmacy or home delivery. Most refills are ready within 2 business days, and we message you when yours is. With no refills left, the request goes to your prescriber for approval first.",
        ),
        (
            "Move an appointment",
            "reschedule, move appointment, move my appointment, change appointment, cancel appointment, appointment, rebook, postpone",
            "Open Appointments in the app or on the member site, choose the visit and select Reschedule to see open times with the same provider. Please move or cancel at least 24 hours ahead so someone else can have the time. You can also call the clinic on the number in your confirmation.",
        ),
        (
            "Get a referral",
            "referral, refer, specialist, see a specialist, dermatologist, cardiologist, physical therapy",
            "Ask your primary care provider for a referral at a visit, or message them from the member site under Messages. Once they send it, it shows under Referrals with the specialist's details, usually within 3 business days. Most plans need the referral before the specialist visit for it to be covered.",
        ),
        (
            "Update your address",
            "address, new address, change address, moving, contact details",
            "Sign in to the member site, open Profile, then Contact details, and enter your new address. If you are moving out of your plan's area, call member services so we can check your providers and coverage. A new member card, if you need one, is mailed within 10 days.",
        ),
    ],
    "retail": [
        (
            "Return an item",
            "return, send back, refund, exchange, wrong size, damaged, faulty",
            "Open Orders in your account, choose the order and select Return an item, then pick the items and a reason. Print the prepaid label, or show the QR code at a drop-off point, within 30 days of delivery. The refund goes to your original payment method within 5 business days of the return arriving.",
        ),
        (
            "Track an order",
            "track, tracking, where is my order, delivery, shipping, not arrived, late, parcel, package",
            "Open Orders in your account and choose the order to see its status and the carrier's tracking link. If it is more than 3 days past the expected delivery date, select Report a problem and we trace it or send a replacement.",
        ),
        (
            "Cancel an order",
            "cancel order, cancel my order, cancel, change my order, stop my order",
            "Open Orders, choose the order and select Cancel order: you can cancel until it ships. Once it has shipped, let it arrive and return it for a refund instead.",
        ),
        (
            "Use store credit or points",
            "store credit, points, redeem, rewards, loyalty, gift card, voucher",
            "At checkout, choose Use store credit or Redeem points before you pay: both come off the total first. Store credit never expires, and the checkout shows what your points are worth.",
        ),
        (
            "Update your address",
            "address, new address, change address, delivery address, moving",
            "Open Account, then Addresses, to add an address or change your default delivery address. Orders already placed keep their address; to change one, contact us before it ships.",
        ),
    ],
    "subscription": [
        (
            "Cancel your subscription",
            "cancel, cancel subscription, cancel my subscription, unsubscribe, end my subscription, stop my subscription",
            "Open Account, then Plan, and choose Cancel subscription, then confirm. You keep access until the end of the period you have paid for and are not billed again. You can restart any time with the same account.",
        ),
        (
            "Pause your subscription",
            "pause, pause subscription, hold, skip a month, take a break, freeze",
            "Open Account, then Plan, and choose Pause, then pick 1 to 3 months. You are not billed while paused, and the plan restarts on its own when the pause ends.",
        ),
        (
            "Change your plan",
            "change plan, change my plan, upgrade, downgrade, switch plan, annual billing, monthly billing",
            "Open Account, then Plan, and choose Change plan to compare plans and prices. An upgrade starts at once and you pay the difference for the rest of the period; a downgrade starts at your next renewal.",
        ),
        (
            "Update your payment method",
            "payment method, update card, new card, expired card, failed payment, billing details",
            "Open Account, then Billing, and choose Update payment method to add a new card. If a payment failed, we retry it within 24 hours of the update, and your plan keeps running meanwhile.",
        ),
    ],
    "travel": [
        (
            "Change a booking",
            "change booking, change my booking, change dates, change my trip, rebook, amend, modify",
            "Open My trips, choose the booking and select Change, then pick new dates or travellers to see the price difference. Most bookings change free of charge up to 48 hours before they start; the fare rules on yours say which. We email a new confirmation once it is done.",
        ),
        (
            "Cancel a booking",
            "cancel booking, cancel my booking, cancel my trip, cancel, cancellation, refund",
            "Open My trips, choose the booking and select Cancel: we show the refund or travel credit before you confirm. Refunds go back to your original payment method within 7 business days; travel credit shows on your account at once.",
        ),
        (
            "Add bags or a special request",
            "bags, baggage, luggage, seat, meal, special request, wheelchair, assistance",
            "Open My trips, choose the booking and select Extras to add bags, choose seats or make a request. Help with mobility is free; ask for it at least 48 hours before you travel.",
        ),
        (
            "Use points or travel credit",
            "points, travel credit, redeem, loyalty, voucher, miles",
            "When you book or change a trip, choose Pay with points or Use travel credit at checkout. Both come off the total first, and anything left goes on your card.",
        ),
    ],
    "utilities": [
        (
            "Report an outage",
            "outage, power cut, no power, power is out, no water, no service, blackout, internet down, not working",
            "Check the outage map in the app or on the website first: if your area is on it, it shows when service should be back. If not, choose Report an outage and give your service address, and we text you updates until it is fixed. If you see a downed line or smell gas, keep away and call the emergency line.",
        ),
        (
            "Pay your bill",
            "pay my bill, pay bill, pay, payment, autopay, direct debit, pay online",
            "Sign in and choose Pay bill to pay by card or bank transfer; the payment shows on your account within a day. To pay automatically, turn on Autopay under Billing and each bill is paid on its due date.",
        ),
        (
            "Set up a payment plan",
            "payment plan, can't pay, cannot pay, behind on my bills, extension, hardship, spread the cost",
            "If you cannot pay in full, choose Billing, then Payment plan, to spread what you owe over 3 to 12 months. Ask here to be connected with our team if you need more help; we do not disconnect a service while a plan is kept up.",
        ),
        (
            "Move or start service",
            "moving, move, start service, stop service, transfer service, new address, address",
            "Choose Moving in your account and give your moving date and new address: we stop service at the old address and start it at the new one. Please give us at least 5 days' notice; the final bill for the old address comes within 2 weeks.",
        ),
    ],
    "appointments": [
        (
            "Reschedule an appointment",
            "reschedule, move my appointment, change my appointment, change my booking, rebook, another time, postpone",
            "Open Bookings in your account, choose the appointment and select Reschedule to see the open times. Changes are free up to 24 hours before; after that the deposit may be kept.",
        ),
        (
            "Cancel an appointment",
            "cancel, cancel my appointment, cancel my booking, can't make it, deposit back",
            "Open Bookings, choose the appointment and select Cancel. Cancel at least 24 hours ahead and the deposit is refunded within 5 business days; later than that it is kept.",
        ),
        (
            "Book an appointment",
            "book, new appointment, make an appointment, book an appointment, availability, schedule",
            "Choose Book in the app or on the website, pick a service and a provider, then a time that suits you. A deposit holds the time and the rest is paid at the visit; we send a reminder the day before.",
        ),
        (
            "Pay a balance",
            "pay, balance, owe, outstanding, invoice, receipt",
            "Open Visits in your account to see what you owe for each past visit and choose Pay now. Receipts are emailed at once and kept under Visits.",
        ),
    ],
    "education": [
        (
            "Enrol in a course",
            "enrol, enroll, sign up, register, join a course, new course",
            "Browse Courses on the student portal, choose a course and a term, and select Enrol. Your place is held for 7 days while you pay the first instalment or set up a payment plan.",
        ),
        (
            "Withdraw from a course",
            "withdraw, drop, drop a course, leave a course, quit, cancel my enrolment",
            "On the student portal, open My courses, choose the course and select Withdraw. Withdrawing in the first two weeks of term refunds the tuition in full; after that, ask here how much applies.",
        ),
        (
            "Pay tuition",
            "pay tuition, tuition, fees, pay, payment plan, instalment, installment",
            "Open Finances on the student portal to see your balance and choose Pay now, or set up a payment plan of monthly instalments. Receipts are emailed and kept under Finances.",
        ),
        (
            "Get a transcript or certificate",
            "transcript, certificate, grades, results, proof of enrolment, diploma",
            "Open Records on the student portal and choose Request transcript or Request certificate. Digital copies arrive by email within 2 business days; printed ones are posted within 10.",
        ),
    ],
    "generic": [
        (
            "Update your details",
            "address, update my details, change my email, phone number, contact details, change my name",
            "Sign in, open Account, then Profile, and change your address, email or phone number. We email you a confirmation once they are saved.",
        ),
        (
            "Redeem points",
            "points, redeem, rewards, loyalty, use my points",
            "At checkout, choose Redeem points to take their value off what you pay. Your points and status are on your Account page.",
        ),
        (
            "Make a complaint",
            "complaint, complain, problem, unhappy, feedback, escalate",
            "Tell us here what went wrong, or choose Contact us in your account to write to our customer care team. We reply within 2 business days, and you can ask for a manager to review it.",
        ),
        (
            "Close your account",
            "close my account, close account, delete my account, cancel my account",
            "Choose Account, then Close account, and confirm; points left on it are lost, so redeem them first. We email you once the account is closed.",
        ),
    ],
}


def articles_seed(apps, schema_editor) -> None:
    """Each mode without articles gets its kind's defaults."""
    mode_model = apps.get_model("chat", "Mode")
    article_model = apps.get_model("chat", "HelpArticle")
    modes = mode_model.objects.filter(help_articles__isnull=True)
    article_model.objects.bulk_create(
        article_model(
            mode=mode,
            title=title,
            keywords=keywords,
            body=body,
            display_order=order,
        )
        for mode in modes
        for order, (title, keywords, body) in enumerate(
            DEFAULT_ARTICLES.get(mode.persona_kind, ()), 1
        )
    )


def prompts_read_articles(apps, schema_editor) -> None:
    """Our own modes' active prompts end with the help articles: a version nothing
    was answered from yet (a fresh install's) in place, since no record reads it;
    one that answered gets a new version, so every reply still names its words."""
    version_model = apps.get_model("chat", "PromptTemplate")
    message_model = apps.get_model("chat", "Message")
    active = version_model.objects.filter(
        is_active=True, mode__origin__in=("builtin", "generated")
    ).exclude(source__contains="help_articles")
    for version in active:
        source = version.source.rstrip("\n") + "\n" + HELP_BLOCK
        if not message_model.objects.filter(prompt_version_id=version.pk).exists():
            version_model.objects.filter(pk=version.pk).update(source=source)
            continue
        latest = version_model.objects.filter(mode_id=version.mode_id).aggregate(
            latest=models.Max("version")
        )["latest"]
        version_model.objects.filter(pk=version.pk).update(is_active=False)
        version_model.objects.create(
            mode_id=version.mode_id,
            version=latest + 1,
            source=source,
            greeting=version.greeting,
            is_active=True,
            note=PROMPT_NOTE,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0007_dashboard_help_articles"),
    ]

    operations = [
        migrations.AlterField(
            model_name="helparticle",
            name="body",
            field=models.TextField(
                help_text="The steps, in plain sentences.",
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
            ),
        ),
        migrations.AlterField(
            model_name="helparticle",
            name="keywords",
            field=models.CharField(
                help_text="Comma-separated words a visitor might use, e.g. claim, "
                "accident.",
                max_length=300,
                validators=[chat.models.help_keywords_validate],
            ),
        ),
        migrations.RunPython(articles_seed, migrations.RunPython.noop),
        migrations.RunPython(prompts_read_articles, migrations.RunPython.noop),
    ]
