"""Local Bluejay API emulator (in progress)."""
