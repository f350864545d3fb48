"""The toolkit's version, in a module of its own so that every layer may read it.

``analysis.__version__`` is the same string; modules inside the package import
it from here, as the top package also offers the programmes, a layer above most
of them.
"""

__version__ = "0.1.0"
