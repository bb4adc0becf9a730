"""The ranking core: retrieve -> fuse -> re-rank. Plain Python, no Django imports."""
