#!/usr/bin/python3
# Answers "start", then sleeps until the wall-clock limit ends it.
import sys
import time
sys.stdout.write("Content-Type: text/plain\n\nstart\n")
sys.stdout.flush()
time.sleep(60)
sys.stdout.write("survived\n")
