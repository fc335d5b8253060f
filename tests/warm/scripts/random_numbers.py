import os
import random
import uuid
print(random.random(), random.getrandbits(64), uuid.uuid4(), os.urandom(8).hex())
