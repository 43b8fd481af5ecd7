import sys

print("boom: BROKEN_SETTING is missing", flush=True)
sys.exit(3)
