# category: cpu
# size: 12000
# validate-size: 4
# description: build, join, split and concatenate private strings
# origin: string formatting in request handlers (pyperformance-style)
#
# Every string is made by the thread that uses it; the separators are code constants (interned,
# immortal in every variant).

PARTS = 16
MODULUS = 1000000007


def build(unit):
    parts = []
    for i in range(PARTS):
        parts.append("item" + str(i * unit % 1000) + ":" + str(i))
    line = ",".join(parts)
    total = 0
    for field in line.split(","):
        if field.startswith("item"):
            total += len(field)
        if field.endswith("7"):
            total += 7
    text = ""
    for i in range(8):
        text = text + str(i)
    return total + len(line.upper()) + len(text)


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        total = (total + build(unit) * 13 + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
