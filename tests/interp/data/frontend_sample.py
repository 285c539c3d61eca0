# A module that uses every construct of the interpreter's subset; the front end's tests compile
# it, and it runs unchanged on CPython (python3 tests/interp/data/frontend_sample.py prints 'ok').
import time
from os import getpid as pid

LIMIT = 1_000
MASK = 0xff | 0o7 | 0b1
RATE = 2.5e-3
counter = 0


class Shape:
    sides = 0

    def __init__(self, name, scale=1.0):
        self.name = name
        self.scale = scale

    def area(self):
        return 0.0


class Square(Shape):
    sides = 4

    def __init__(self, side):
        self.name = "square"
        self.scale = 1.0
        self.side = side

    def area(self):
        return self.side ** 2 * self.scale


def bump(n=1):
    global counter
    counter += n
    return counter


def classify(x):
    if x < 0:
        return "negative"
    elif 0 <= x < 10:
        return "small"
    elif x in (10, 20) or x is None:
        return "special"
    else:
        return "large" if not x % 2 else "odd"


def walk(items):
    total = 0
    seen = {}
    for i, item in enumerate(items):
        if item == 3:
            continue
        if item > 100:
            break
        seen[item] = seen.get(item, 0) + 1
        total += i * item
    else:
        total -= 1
    n = len(items)
    while n > 0:
        n -= 2
        if n == 1:
            break
    a, b = total // 7, total % 7
    pairs = [(k, v) for k, v in seen.items() if v]
    grid = [[r * c for c in range(3)] for r in range(3)]
    data = [1, 2, 3, 4, 5]
    head = data[:2] + data[3:] + data[1:2]
    data[0] += 10
    del data[1]
    return total + a - b + len(pairs) + grid[2][2] + sum(head) + data[0] + (~MASK & 3) + (-LIMIT >> 2)


def guarded(d, key):
    try:
        value = d[key]
    except KeyError as e:
        value = -1
    except (IndexError, TypeError):
        raise
    else:
        value += 1
    finally:
        bump()
    assert value != 0, "zero"
    return value


def retry(n):
    for attempt in range(n):
        try:
            if attempt < 2:
                raise ValueError("attempt " + str(attempt))
            return attempt
        except ValueError:
            continue
    raise RuntimeError("gave up")


def strings():
    s = 'it\'s' + "\t" + '''multi
line''' + r"\raw"
    parts = s.split("\t")
    return "-".join(parts).upper().startswith("IT")


def main():
    shapes = [Square(3), Shape("blob")]
    areas = [sh.area() for sh in shapes]
    assert areas[0] == 9
    assert classify(-1) == "negative" and classify(5) == "small" and classify(20) == "special"
    assert walk([1, 2, 3, 4, 200]) == -202
    assert guarded({"a": 1}, "a") == 2 and guarded({}, "b") == -1
    assert retry(5) == 2
    assert strings()
    assert counter == 2
    assert isinstance(time.perf_counter(), float) and pid() > 0
    print("ok")


if __name__ == "__main__":
    main()
