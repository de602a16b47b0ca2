"""Results: payments on accepted results, indicator status, cut scenarios, their exports."""
