//! The `tray` command.

fn main() {}
