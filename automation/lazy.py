"""`lazy`: `functools.cached_property` without the lock Python 3.11 takes at each first read
(python/cpython#87634; 3.12 dropped it). A night's planning makes a quarter of a million
first reads of the views' properties, one per pairing and property: the lock took about 4 %
of the planning CPU at 10,000 pairings (bench/bench_planning.py).

A first read computes the value and keeps it in the instance's `__dict__`, where later reads
find it without calling the descriptor; frozen dataclasses included, as with
`cached_property`. Two threads reading at once may both compute it: the values are pure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class lazy(Generic[T]):
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> lazy[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | lazy[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value
