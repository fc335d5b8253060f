import os
import sys
sys.stdout.write("buffered, never flushed")
os._exit(5)
