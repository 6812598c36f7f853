"""The password hasher: Argon2id with the parameters OWASP's Password Storage Cheat Sheet lists
first (46 MiB of memory, one pass, one lane).

Django's own Argon2 defaults (100 MiB, two passes, eight lanes) take about 0.5 s a sign-in on a
two-core host, as long as PBKDF2 at 1,000,000 rounds did; these parameters take about 0.1 s and
keep the memory cost that makes Argon2 expensive to attack on graphics cards. Stored hashes of
another hasher or other parameters are rewritten at the person's next sign-in (Django does it).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47104  # KiB, 46 MiB
    parallelism = 1
