# category: cpu
# size: 16000
# validate-size: 4
# description: instantiate classes, get and set attributes, call methods, build a linked list
# origin: object-oriented Python code (pyperformance richards/raytrace style)
#
# The classes are module globals shared by every thread; the instances are private. Creating an
# instance references its class (a shared count write per instance unless the class's count is
# per-thread, CPython 3.14t), and every method call looks the function up on the shared class
# (a shared count write unless it is a deferred reference).

MODULUS = 1000000007


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, other):
        return Point(self.x + other.x, self.y + other.y)

    def norm1(self):
        return abs(self.x) + abs(self.y)


class Node:
    def __init__(self, value, next_node):
        self.value = value
        self.next = next_node


def object_work(unit):
    p = Point(unit % 13, 1)
    for i in range(16):
        p = p.add(Point(i, -i))
    head = None
    for i in range(16):
        head = Node(i + unit % 5, head)
    total = p.norm1()
    node = head
    while node is not None:
        total += node.value
        node = node.next
    return total


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        total = (total + object_work(unit) * 11 + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
