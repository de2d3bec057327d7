"""The client side of rlvr: reward adapters for trainers (TRL, verl) that call the service."""
