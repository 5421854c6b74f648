"""The problem ledger (问题台账) and supervision notices (督办单): difficulties the projects report,
which the city coordinates until they are solved, and the numbered notices that chase them."""
