"""mcusim build (not implemented yet)."""
from mcusim.errors import McusimError


def add_arguments(p):
    p.add_argument("rest", nargs="*")


def main(args):
    raise McusimError("'mcusim build' is not implemented yet")
