-- The embedded engine's allocator keeps what a publication used; this hands it back to the system.
SYSTEM JEMALLOC PURGE
