"""Awards and contracts: the standstill after the award decision, the contract and its periods."""
