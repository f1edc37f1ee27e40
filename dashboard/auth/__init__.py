"""Who may see what: roles and actions as data (`roles`), local accounts, tokens and sign-in limits (`store`),
and their CLI. May import `dashboard.core` only; the accounts live outside the data path's one-writer fence."""
