// netreactor: library version.
#pragma once

namespace netreactor {

// The version of the library this program runs with, e.g. "0.1.0".
const char* version() noexcept;

}  // namespace netreactor
