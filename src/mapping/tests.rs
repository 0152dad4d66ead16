//! Function tests, one per documented function, on Microsoft's documented examples.
