//! Local emulator of the Tray.io APIs (work in progress).
