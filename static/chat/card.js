// The customer panel: a compact card with the mode's key figure, then the full record.

import { COPY, fill } from "./copy.js";
import { byId, h } from "./dom.js";
import {
  clockTime,
  count,
  dateParts,
  formatFor,
  initials,
  label,
  longDate,
  money,
  shortDate,
} from "./format.js";

// The card's labels, from the server (chat/conversation/copy.py), per kind of record.
const CARD = COPY.card;

/** A small card with a heading. */
function section(title, testid, ...body) {
  const id = `section-${testid}`;
  return h(
    "section",
    { class: "card detail", "aria-labelledby": id, dataset: { testid } },
    h("h3", { class: "detail-title", id }, title),
    ...body,
  );
}

/** A table from column headings and rows of cells (strings or elements). */
function table(caption, headings, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data-table" },
      h("caption", { class: "visually-hidden" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headings.map(([text, cls]) => h("th", { scope: "col", class: cls }, text)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((cells) =>
          h(
            "tr",
            {},
            cells.map(([value, cls]) => h("td", { class: cls }, value)),
          ),
        ),
      ),
    ),
  );
}

function empty(text) {
  return h("p", { class: "empty" }, text);
}

function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.map(([term, value, testid]) =>
      h(
        "div",
        { class: "fact" },
        h("dt", {}, term),
        h("dd", { dataset: testid ? { testid } : {} }, value),
      ),
    ),
  );
}

function tile(title, value, note, testid) {
  return h(
    "div",
    { class: "tile", dataset: testid ? { testid } : {} },
    h("p", { class: "tile-label" }, title),
    h("p", { class: "tile-value" }, value),
    note ? h("p", { class: "tile-note" }, note) : null,
  );
}

function pill(text, tone) {
  return h("span", { class: `pill pill-${tone}` }, text);
}

/** A labelled progress bar, e.g. the deductible met so far. */
function meter(title, spent, limit, testid) {
  const id = `${testid}-label`;
  const max = Math.max(Number(limit), 0.01);
  const value = Math.min(Number(spent), max);
  const figure = fill(CARD.shared.meter_figure, {
    spent: money(spent),
    limit: money(limit),
  });
  return h(
    "div",
    { class: "meter" },
    h(
      "div",
      { class: "meter-head" },
      h("span", { class: "meter-title", id }, title),
      h("span", { class: "meter-figure" }, figure),
    ),
    h("progress", {
      max,
      value,
      "aria-labelledby": id,
      "aria-valuetext": figure,
      dataset: { testid },
    }),
    h(
      "p",
      { class: "meter-note" },
      fill(CARD.shared.meter_to_go, { amount: money(Math.max(limit - spent, 0)) }),
    ),
  );
}

const KEY_FIGURES = {
  banking: [
    CARD.banking.checking_balance,
    (p) => money(p.checking_balance),
    "checking-balance",
  ],
  insurance: [
    CARD.insurance.total_coverage,
    (p) => money(p.total_coverage),
    "total-coverage",
  ],
  healthcare: [CARD.healthcare.member_id, (p) => p.member_id, "member-id"],
  generic: [CARD.generic.account_value, (p) => money(p.account_value), "account-value"],
};

const SUMMARY_FACTS = {
  banking: (p) => [
    [CARD.shared.member_since, longDate(p.member_since)],
    [CARD.banking.checking_account, cardEnding(p)],
  ],
  insurance: (p) => [
    [CARD.shared.member_since, longDate(p.member_since)],
    [CARD.insurance.monthly_premium, money(p.monthly_premium)],
  ],
  healthcare: (p) => [
    [CARD.healthcare.plan, p.plan_name, "plan-name"],
    [CARD.healthcare.date_of_birth, longDate(p.date_of_birth)],
  ],
  generic: (p) => [
    [CARD.generic.customer_since, longDate(p.customer_since)],
    [CARD.generic.status, fill(CARD.generic.status_member, { status: p.status })],
  ],
};

/** The compact card: who the customer is and the one figure this mode is about. */
function summary(kind, persona) {
  const [keyLabel, keyValue, keyTestid] = KEY_FIGURES[kind];
  return h(
    "article",
    { class: "card summary", "aria-label": CARD.shared.summary },
    h(
      "div",
      { class: "summary-who" },
      h("span", { class: "avatar", "aria-hidden": "true" }, initials(persona.name)),
      h(
        "div",
        {},
        h("p", { class: "summary-greeting" }, CARD.shared.greeting),
        h(
          "p",
          { class: "summary-name", dataset: { testid: "customer-name" } },
          persona.name,
        ),
      ),
    ),
    h(
      "div",
      { class: "key-figure", dataset: { testid: "key-figure" } },
      h("p", { class: "key-label" }, keyLabel),
      h("p", { class: "key-value", dataset: { testid: keyTestid } }, keyValue(persona)),
    ),
    facts(SUMMARY_FACTS[kind](persona)),
  );
}

function transactionRows(transactions) {
  return transactions.map((t) => [
    [shortDate(t.date), "nowrap"],
    [t.description],
    [label(t.category), "hide-narrow muted"],
    t.amount > 0 ? [`+${money(t.amount)}`, "num credit"] : [money(t.amount), "num"],
  ]);
}

/** The usual FICO bands, from the floor of each. */
function creditBand(score) {
  const bands = [
    [800, CARD.banking.excellent],
    [740, CARD.banking.very_good],
    [670, CARD.banking.good],
    [580, CARD.banking.fair],
  ];
  return (bands.find(([floor]) => score >= floor) || [0, CARD.banking.poor])[1];
}

/** The last four digits of the checking account, masked like a card. */
function cardEnding(p) {
  return fill(CARD.shared.card_ending, { last4: p.account_number_last4 });
}

function bankingDetails(p) {
  const list = p.recent_transactions || [];
  return [
    section(
      CARD.banking.accounts,
      "accounts",
      h(
        "div",
        { class: "tiles" },
        tile(CARD.banking.checking, money(p.checking_balance), cardEnding(p)),
        tile(CARD.banking.savings, money(p.savings_balance)),
        tile(
          CARD.banking.credit_score,
          String(p.credit_score),
          creditBand(p.credit_score),
          "credit-score",
        ),
        tile(CARD.banking.credit_limit, money(p.credit_limit)),
      ),
    ),
    section(
      CARD.banking.transactions,
      "transactions",
      list.length
        ? table(
            CARD.banking.transactions,
            [
              [CARD.banking.date],
              [CARD.banking.description],
              [CARD.banking.category, "hide-narrow"],
              [CARD.shared.amount, "num"],
            ],
            transactionRows(list),
          )
        : empty(CARD.banking.no_transactions),
    ),
  ];
}

// How each claim status reads at a glance, by the status the record gives, lower-cased.
const CLAIM_TONES = {
  paid: "good",
  approved: "good",
  pending: "wait",
  "under review": "wait",
  denied: "bad",
};

function insuranceDetails(p) {
  const policies = p.active_policies || [];
  const claims = p.claims_history || [];
  return [
    section(
      CARD.insurance.your_coverage,
      "coverage",
      h(
        "div",
        { class: "tiles" },
        tile(
          CARD.insurance.total_coverage,
          money(p.total_coverage),
          fill(
            policies.length === 1
              ? CARD.insurance.active_policy
              : CARD.insurance.active_policies,
            { count: count(policies.length) },
          ),
        ),
        tile(CARD.insurance.monthly_premium, money(p.monthly_premium)),
        tile(CARD.insurance.risk_profile, p.risk_score, null, "risk-score"),
      ),
    ),
    section(
      CARD.insurance.policies,
      "policies",
      policies.length
        ? table(
            CARD.insurance.policies,
            [
              [CARD.insurance.policy],
              [CARD.insurance.coverage, "num"],
              [CARD.insurance.deductible, "num hide-narrow"],
              [CARD.insurance.premium, "num"],
              [CARD.insurance.renews, "hide-narrow"],
            ],
            policies.map((x) => [
              [
                h(
                  "span",
                  { class: "stack" },
                  h("strong", {}, `${x.type}`),
                  h("span", { class: "muted small" }, x.policy_number),
                ),
              ],
              [money(x.coverage), "num"],
              [money(x.deductible), "num hide-narrow"],
              [
                fill(CARD.insurance.premium_per_month, { premium: money(x.premium) }),
                "num",
              ],
              [longDate(x.renewal_date), "hide-narrow nowrap"],
            ]),
          )
        : empty(CARD.insurance.no_policies),
    ),
    section(
      CARD.insurance.claims,
      "claims",
      claims.length
        ? table(
            CARD.insurance.claims,
            [
              [CARD.insurance.claim],
              [CARD.insurance.filed, "hide-narrow"],
              [CARD.shared.amount, "num"],
              [CARD.insurance.status],
            ],
            claims.map((c) => [
              [
                h(
                  "span",
                  { class: "stack" },
                  h("strong", {}, fill(CARD.insurance.claim_of_type, { type: c.type })),
                  h("span", { class: "muted small" }, c.claim_id),
                ),
              ],
              [longDate(c.date), "hide-narrow nowrap"],
              [money(c.amount), "num"],
              [pill(c.status, CLAIM_TONES[String(c.status).toLowerCase()] || "wait")],
            ]),
          )
        : empty(CARD.insurance.no_claims),
    ),
  ];
}

function appointment(a) {
  const { month, day } = dateParts(a.date);
  return h(
    "li",
    { class: "appointment" },
    h(
      "span",
      { class: "date-tile", "aria-hidden": "true" },
      h("span", { class: "date-month" }, month),
      h("span", { class: "date-day" }, day),
    ),
    h(
      "div",
      { class: "appointment-body" },
      h(
        "p",
        { class: "appointment-who" },
        a.provider,
        h("span", { class: "muted" }, ` · ${a.specialty}`),
      ),
      h(
        "p",
        { class: "appointment-when" },
        fill(CARD.healthcare.appointment_when, {
          date: longDate(a.date),
          time: clockTime(a.time),
        }),
      ),
      h("p", { class: "muted small" }, a.location),
    ),
  );
}

function refills(n) {
  if (n === 0) return pill(CARD.healthcare.no_refills, "bad");
  const left = n === 1 ? CARD.healthcare.refill_left : CARD.healthcare.refills_left;
  return pill(fill(left, { count: count(n) }), n === 1 ? "wait" : "good");
}

function healthcareDetails(p) {
  const visits = p.upcoming_appointments || [];
  const scripts = p.active_prescriptions || [];
  return [
    section(
      CARD.healthcare.plan_progress,
      "plan-progress",
      meter(
        CARD.healthcare.deductible,
        p.deductible_met,
        p.deductible,
        "deductible-bar",
      ),
      meter(
        CARD.healthcare.out_of_pocket,
        p.out_of_pocket_spent,
        p.out_of_pocket_max,
        "out-of-pocket-bar",
      ),
      facts([[CARD.healthcare.primary_care, p.primary_care_provider, "primary-care"]]),
    ),
    section(
      CARD.healthcare.appointments,
      "appointments",
      visits.length
        ? h("ul", { class: "appointments" }, visits.map(appointment))
        : empty(CARD.healthcare.no_appointments),
    ),
    section(
      CARD.healthcare.prescriptions,
      "prescriptions",
      scripts.length
        ? table(
            CARD.healthcare.prescriptions,
            [
              [CARD.healthcare.medication],
              [CARD.healthcare.how_to_take],
              [CARD.healthcare.refills],
            ],
            scripts.map((s) => [
              [
                h(
                  "span",
                  { class: "stack" },
                  h("strong", {}, s.medication),
                  h("span", { class: "muted small" }, s.dosage),
                ),
              ],
              [s.frequency],
              [refills(s.refills_remaining)],
            ]),
          )
        : empty(CARD.healthcare.no_prescriptions),
    ),
  ];
}

function genericDetails(p) {
  return [
    section(
      CARD.generic.your_account,
      "account",
      h(
        "div",
        { class: "tiles" },
        tile(
          CARD.generic.account_value,
          money(p.account_value),
          fill(CARD.generic.since, { date: longDate(p.customer_since) }),
        ),
        tile(CARD.generic.loyalty_status, p.status, null, "loyalty-status"),
        tile(CARD.generic.loyalty_points, count(p.loyalty_points)),
        tile(
          CARD.generic.recent_activity,
          count(p.recent_activity_count),
          CARD.generic.transactions,
        ),
      ),
    ),
  ];
}

const DETAILS = {
  banking: bankingDetails,
  insurance: insuranceDetails,
  healthcare: healthcareDetails,
  generic: genericDetails,
};

/** The kind of record, from the mode, or from the record's own fields. */
function personaKind(mode, persona) {
  if (DETAILS[mode.persona_kind]) return mode.persona_kind;
  if ("checking_balance" in persona) return "banking";
  if ("active_policies" in persona) return "insurance";
  if ("member_id" in persona) return "healthcare";
  return "generic";
}

/** Redraws the customer panel for this mode's customer. */
export function customerRender(mode, persona) {
  const kind = personaKind(mode, persona);
  formatFor(persona.locale || mode.locale, persona.currency);
  byId("customer").dataset.personaKind = kind;
  byId("customer-summary").replaceChildren(summary(kind, persona));
  byId("customer-details").replaceChildren(...DETAILS[kind](persona));
  byId("signed-in").replaceChildren(
    h(
      "span",
      { class: "avatar avatar-small", "aria-hidden": "true" },
      initials(persona.name),
    ),
    h("span", { class: "signed-in-name" }, persona.name),
  );
}
