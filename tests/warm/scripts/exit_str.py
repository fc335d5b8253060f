import sys
sys.exit("bye now")
