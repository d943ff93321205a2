"""The dashboard: the tools a reply may call to put charts and figures on the page,
and the tabs each mode shows, every figure computed from the customer
(personas.figures)."""
