"""The award: the decision (gunningsbeslissing), the standstill, objections, the contract."""
