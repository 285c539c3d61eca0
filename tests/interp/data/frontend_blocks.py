# Leaving blocks every way the compiler knows (break/continue/return through except clauses and
# finally bodies, exceptions through finally, assert): the front end's tests compile it; run()
# returns, on CPython and on ftbench's interpreter alike:
# [1015, 'caught', 400, 7, ['ab', 'cd'], [0, 4, 16], 4, [1, 2, 0, 'inner', 1, 2, 3, 4, 'f6']]

log = []


def close(tag):
    log.append(tag)


def f1(xs):
    total = 0
    for x in xs:
        try:
            if x == 0:
                raise ValueError("zero")
            total += 10 // x
        except ValueError as e:
            total += 1000
            break
        finally:
            close(x)
    else:
        total += 5
    return total


def f2():
    try:
        try:
            raise KeyError("k")
        finally:
            close("inner")
    except KeyError:
        return "caught"
    return "no"


def f3(n):
    i = 0
    while i < n:
        i += 1
        try:
            if i == 2:
                continue
            if i == 4:
                return i * 100
        finally:
            close(i)
    else:
        return -1


def f4():
    try:
        assert 1 > 2, "nope"
    except AssertionError as e:
        return 7
    return 0


def f5(d):
    out = []
    for k, v in d.items():
        try:
            out.append(k + v)
        except TypeError:
            out.append(-1)
            continue
    return out


squares = [i * i for i in range(5) if i % 2 == 0]


def f6():
    n = 0
    try:
        for i in range(10):
            try:
                raise IndexError
            except IndexError:
                n += 1
                if i == 3:
                    return n
    finally:
        close("f6")
    return -5


def run():
    a = f1([1, 2, 0, 5])
    b = f2()
    c = f3(10)
    d = f4()
    e = f5({"a": "b", "c": "d"})
    g = f6()
    return [a, b, c, d, e, squares, g, log]
