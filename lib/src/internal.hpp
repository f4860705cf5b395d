// Internal: marks for the library's private sources. Never installed.
#pragma once

// For the Impl of an exported class: a nested class takes the visibility of
// the class around it (default, NETREACTOR_API), so without this mark its
// member functions would be exported from libnetreactor.so.
#define NETREACTOR_INTERNAL __attribute__((visibility("hidden")))
