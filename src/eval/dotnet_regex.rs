//! Translation of .NET regular expressions.
