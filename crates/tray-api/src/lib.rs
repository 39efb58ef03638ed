//! Ergonomic client for Tray.io platform APIs (work in progress).
