// The customer panel: a compact card with the mode's key figure, then the full record.

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
  return h(
    "div",
    { class: "meter" },
    h(
      "div",
      { class: "meter-head" },
      h("span", { class: "meter-title", id }, title),
      h("span", { class: "meter-figure" }, `${money(spent)} of ${money(limit)}`),
    ),
    h("progress", {
      max,
      value,
      "aria-labelledby": id,
      "aria-valuetext": `${money(spent)} of ${money(limit)}`,
      dataset: { testid },
    }),
    h("p", { class: "meter-note" }, `${money(Math.max(limit - spent, 0))} to go`),
  );
}

const KEY_FIGURES = {
  banking: ["Checking balance", (p) => money(p.checking_balance), "checking-balance"],
  insurance: ["Total coverage", (p) => money(p.total_coverage), "total-coverage"],
  healthcare: ["Member ID", (p) => p.member_id, "member-id"],
  generic: ["Account value", (p) => money(p.account_value), "account-value"],
};

const SUMMARY_FACTS = {
  banking: (p) => [
    ["Member since", longDate(p.member_since)],
    ["Checking account", `•••• ${p.account_number_last4}`],
  ],
  insurance: (p) => [
    ["Member since", longDate(p.member_since)],
    ["Monthly premium", money(p.monthly_premium)],
  ],
  healthcare: (p) => [
    ["Plan", p.plan_name, "plan-name"],
    ["Date of birth", longDate(p.date_of_birth)],
  ],
  generic: (p) => [
    ["Customer since", longDate(p.customer_since)],
    ["Status", `${p.status} member`],
  ],
};

/** The compact card: who the customer is and the one figure this mode is about. */
function summary(kind, persona) {
  const [keyLabel, keyValue, keyTestid] = KEY_FIGURES[kind];
  return h(
    "article",
    { class: "card summary", "aria-label": "Customer summary" },
    h(
      "div",
      { class: "summary-who" },
      h("span", { class: "avatar", "aria-hidden": "true" }, initials(persona.name)),
      h(
        "div",
        {},
        h("p", { class: "summary-greeting" }, "Welcome back,"),
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

/** The usual FICO band names. */
function creditBand(score) {
  const bands = [
    [800, "Excellent"],
    [740, "Very good"],
    [670, "Good"],
    [580, "Fair"],
  ];
  return (bands.find(([floor]) => score >= floor) || [0, "Poor"])[1];
}

function bankingDetails(p) {
  const list = p.recent_transactions || [];
  return [
    section(
      "Accounts",
      "accounts",
      h(
        "div",
        { class: "tiles" },
        tile("Checking", money(p.checking_balance), `•••• ${p.account_number_last4}`),
        tile("Savings", money(p.savings_balance)),
        tile(
          "Credit score",
          String(p.credit_score),
          creditBand(p.credit_score),
          "credit-score",
        ),
        tile("Credit limit", money(p.credit_limit)),
      ),
    ),
    section(
      "Recent transactions",
      "transactions",
      list.length
        ? table(
            "Recent transactions",
            [["Date"], ["Description"], ["Category", "hide-narrow"], ["Amount", "num"]],
            transactionRows(list),
          )
        : empty("No recent transactions."),
    ),
  ];
}

const CLAIM_TONES = {
  Paid: "good",
  Approved: "good",
  Pending: "wait",
  "Under review": "wait",
  Denied: "bad",
};

function insuranceDetails(p) {
  const policies = p.active_policies || [];
  const claims = p.claims_history || [];
  return [
    section(
      "Your coverage",
      "coverage",
      h(
        "div",
        { class: "tiles" },
        tile(
          "Total coverage",
          money(p.total_coverage),
          `${policies.length} active ${policies.length === 1 ? "policy" : "policies"}`,
        ),
        tile("Monthly premium", money(p.monthly_premium)),
        tile("Risk profile", p.risk_score, null, "risk-score"),
      ),
    ),
    section(
      "Policies",
      "policies",
      policies.length
        ? table(
            "Policies",
            [
              ["Policy"],
              ["Coverage", "num"],
              ["Deductible", "num hide-narrow"],
              ["Premium", "num"],
              ["Renews", "hide-narrow"],
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
              [`${money(x.premium)}/mo`, "num"],
              [longDate(x.renewal_date), "hide-narrow nowrap"],
            ]),
          )
        : empty("No active policies."),
    ),
    section(
      "Claims",
      "claims",
      claims.length
        ? table(
            "Claims",
            [["Claim"], ["Filed", "hide-narrow"], ["Amount", "num"], ["Status"]],
            claims.map((c) => [
              [
                h(
                  "span",
                  { class: "stack" },
                  h("strong", {}, `${c.type} claim`),
                  h("span", { class: "muted small" }, c.claim_id),
                ),
              ],
              [longDate(c.date), "hide-narrow nowrap"],
              [money(c.amount), "num"],
              [pill(c.status, CLAIM_TONES[c.status] || "wait")],
            ]),
          )
        : empty("No claims on file."),
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
        `${longDate(a.date)} at ${clockTime(a.time)}`,
      ),
      h("p", { class: "muted small" }, a.location),
    ),
  );
}

function refills(n) {
  if (n === 0) return pill("No refills left", "bad");
  return pill(`${n} ${n === 1 ? "refill" : "refills"} left`, n === 1 ? "wait" : "good");
}

function healthcareDetails(p) {
  const visits = p.upcoming_appointments || [];
  const scripts = p.active_prescriptions || [];
  return [
    section(
      "Plan year progress",
      "plan-progress",
      meter("Deductible", p.deductible_met, p.deductible, "deductible-bar"),
      meter(
        "Out-of-pocket maximum",
        p.out_of_pocket_spent,
        p.out_of_pocket_max,
        "out-of-pocket-bar",
      ),
      facts([["Primary care provider", p.primary_care_provider, "primary-care"]]),
    ),
    section(
      "Upcoming appointments",
      "appointments",
      visits.length
        ? h("ul", { class: "appointments" }, visits.map(appointment))
        : empty("No upcoming appointments."),
    ),
    section(
      "Prescriptions",
      "prescriptions",
      scripts.length
        ? table(
            "Prescriptions",
            [["Medication"], ["How to take"], ["Refills"]],
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
        : empty("No active prescriptions."),
    ),
  ];
}

function genericDetails(p) {
  return [
    section(
      "Your account",
      "account",
      h(
        "div",
        { class: "tiles" },
        tile(
          "Account value",
          money(p.account_value),
          `Since ${longDate(p.customer_since)}`,
        ),
        tile("Loyalty status", p.status, null, "loyalty-status"),
        tile("Loyalty points", count(p.loyalty_points)),
        tile("Recent activity", count(p.recent_activity_count), "Transactions"),
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
