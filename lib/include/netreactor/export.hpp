/// @file
/// @brief NETREACTOR_API, the mark on every class and function the shared
/// library exports, and the language check every public header makes.
///
/// libnetreactor.so is built with hidden symbol visibility: only what carries
/// NETREACTOR_API is part of its ABI (tests/install/check-symbols.sh lists its
/// dynamic symbols and fails on anything else). For a program the macro
/// changes nothing, whether it links the shared or the static library.
#pragma once

#if !defined(__cplusplus) || __cplusplus < 202002L
#error "netreactor's headers need C++20: compile with -std=c++20 or later (GCC >= 11, Clang >= 14)"
#endif

#if defined(__GNUC__) || defined(__clang__)
/// Exports a class (its member functions, vtable and typeinfo) or a function
/// from libnetreactor.so.
#define NETREACTOR_API __attribute__((visibility("default")))
#else
#define NETREACTOR_API
#endif
