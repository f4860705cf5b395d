#include "sntp_packet.hpp"

#include <arpa/inet.h>

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace sntp {

namespace {

std::uint32_t load32(const char* p) noexcept {
    auto b = [p](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
    return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

std::uint64_t load64(const char* p) noexcept { return (std::uint64_t{load32(p)} << 32) | load32(p + 4); }

void store32(char* p, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
}

void store64(char* p, std::uint64_t v) noexcept {
    store32(p, static_cast<std::uint32_t>(v >> 32));
    store32(p + 4, static_cast<std::uint32_t>(v));
}

}  // namespace

std::optional<Packet> decode_packet(std::span<const char> bytes) noexcept {
    if (bytes.size() < kHeaderSize) return std::nullopt;
    const char* p = bytes.data();
    auto first = static_cast<unsigned char>(p[0]);
    Packet packet;
    packet.leap = first >> 6;
    packet.version = (first >> 3) & 0x7;
    packet.mode = first & 0x7;
    packet.stratum = static_cast<std::uint8_t>(p[1]);
    packet.poll = static_cast<std::int8_t>(p[2]);
    packet.precision = static_cast<std::int8_t>(p[3]);
    packet.root_delay = load32(p + 4);
    packet.root_dispersion = load32(p + 8);
    packet.ref_id = load32(p + 12);
    packet.reference = load64(p + 16);
    packet.origin = load64(p + 24);
    packet.receive = load64(p + 32);
    packet.transmit = load64(p + 40);
    return packet;
}

std::array<char, kHeaderSize> encode_packet(const Packet& packet) noexcept {
    std::array<char, kHeaderSize> bytes{};
    char* p = bytes.data();
    p[0] = static_cast<char>(((packet.leap & 0x3) << 6) | ((packet.version & 0x7) << 3) | (packet.mode & 0x7));
    p[1] = static_cast<char>(packet.stratum);
    p[2] = static_cast<char>(packet.poll);
    p[3] = static_cast<char>(packet.precision);
    store32(p + 4, packet.root_delay);
    store32(p + 8, packet.root_dispersion);
    store32(p + 12, packet.ref_id);
    store64(p + 16, packet.reference);
    store64(p + 24, packet.origin);
    store64(p + 32, packet.receive);
    store64(p + 40, packet.transmit);
    return bytes;
}

Packet make_request(NtpTimestamp nonce) noexcept {
    Packet packet;
    packet.version = 4;
    packet.mode = mode_client;
    packet.transmit = nonce;
    return packet;
}

NtpTimestamp random_nonce() {
    NtpTimestamp nonce = 0;
    while (nonce == 0) {
        ssize_t n = getrandom(&nonce, sizeof nonce, 0);
        if (n != static_cast<ssize_t>(sizeof nonce)) {
            // No getrandom (old kernel, seccomp): std::random_device reads the same pool.
            std::random_device device;
            nonce = (std::uint64_t{device()} << 32) | device();
        }
    }
    return nonce;
}

std::string ref_id_code(std::uint32_t ref_id) {
    std::string text;
    for (int shift = 24; shift >= 0; shift -= 8) {
        auto c = static_cast<unsigned char>((ref_id >> shift) & 0xff);
        if (c == 0) continue;
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            text += static_cast<char>(c);
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            text += escaped;
        }
    }
    return text;
}

std::string ref_id_dotted(std::uint32_t ref_id) {
    char text[20];
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", ref_id >> 24, (ref_id >> 16) & 0xff, (ref_id >> 8) & 0xff,
                  ref_id & 0xff);
    return text;
}

std::string ref_id_hex(std::uint32_t ref_id) {
    char text[12];
    std::snprintf(text, sizeof text, "%08x", ref_id);
    return text;
}

std::string ref_id_text(std::uint32_t ref_id, std::uint8_t stratum) {
    return stratum <= 1 ? ref_id_code(ref_id) : ref_id_dotted(ref_id);
}

std::optional<std::uint32_t> parse_ref_id(const std::string& text) {
    // "0x..." is always hex, never a 4-character code.
    if (text.size() >= 2 && (text.compare(0, 2, "0x") == 0 || text.compare(0, 2, "0X") == 0)) {
        if (text.size() == 2 || text.size() > 10) return std::nullopt;
        std::uint32_t value = 0;
        for (char c : text.substr(2)) {
            int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                      : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (digit < 0) return std::nullopt;
            value = (value << 4) | static_cast<std::uint32_t>(digit);
        }
        return value;
    }
    // Dotted IPv4 exactly as inet_pton reads it (no spaces, signs or leading
    // zeros, which sscanf("%u") would let through).
    if (in_addr v4{}; text.find('\0') == std::string::npos && inet_pton(AF_INET, text.c_str(), &v4) == 1)
        return ntohl(v4.s_addr);
    if (text.empty() || text.size() > 4) return std::nullopt;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        unsigned char ch = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
        if (i < text.size() && (ch < 0x21 || ch >= 0x7f)) return std::nullopt;
        value = (value << 8) | ch;
    }
    return value;
}

}  // namespace sntp
