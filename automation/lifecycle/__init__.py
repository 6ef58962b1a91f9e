"""A pairing's term as pure values: dates, markers, the ledger, actions, the rules."""
