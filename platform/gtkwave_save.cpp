#include "platform/gtkwave_save.h"

#include "platform/output_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

namespace kb::platform {

namespace {

// GTKWave trace flags (its save-file format): decimal and right-justified, a translate
// filter file, and group begin / end markers.
constexpr unsigned kDecimal = 0x04 | 0x20;
constexpr unsigned kFiltered = 0x2000;
constexpr unsigned kGroupBegin = 0x800000 | 0x200;
constexpr unsigned kGroupEnd = 0x1000000 | 0x200;

// The group a signal belongs to: its PE if it is inside one, else its cube, else its SIP,
// else the system ("system.sip0.cube1.pe2.core.state" -> "system.sip0.cube1.pe2"; a
// router's port "system.sip0.cube1.router.pe2.in" belongs to the cube).
std::string group_of(const std::string& path) {
  std::vector<std::string> parts;
  for (std::size_t at = 0; at <= path.size();) {
    const std::size_t dot = std::min(path.find('.', at), path.size());
    parts.push_back(path.substr(at, dot - at));
    at = dot + 1;
  }
  const char* levels[] = {"sip", "cube", "pe"};  // parts[1], parts[2], parts[3]
  std::string group = parts[0];
  for (std::size_t l = 0; l < 3 && l + 2 < parts.size(); ++l) {
    const std::string& part = parts[l + 1];
    const std::size_t n = std::string(levels[l]).size();
    if (part.size() <= n || part.compare(0, n, levels[l]) != 0 ||
        std::isdigit(static_cast<unsigned char>(part[n])) == 0) {
      break;
    }
    group += "." + part;
  }
  return group;
}

// Hierarchy order: numbers inside names compare as numbers (pe2 before pe10).
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) != 0 &&
        std::isdigit(static_cast<unsigned char>(b[j])) != 0) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie])) != 0) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je])) != 0) ++je;
      const auto x = std::stoull(a.substr(i, ie - i)), y = std::stoull(b.substr(j, je - j));
      if (x != y) return x < y;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

// The name GTKWave gives a VCD variable: the SystemC scope, and the range of a vector.
std::string trace_name(const models::ActivityTracer::Signal& s) {
  const std::string name = "SystemC." + s.path;
  return s.width > 1 ? fmt::format("{}[{}:0]", name, s.width - 1) : name;
}

}  // namespace

std::string write_gtkwave_save(const std::string& vcd_path,
                               const std::vector<models::ActivityTracer::Signal>& signals,
                               models::Picoseconds end) {
  std::string base = vcd_path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0)
    base.resize(base.size() - 4);
  const std::string vcd = base + ".vcd";
  const std::string save = base + ".gtkw";

  // One filter per kind of named signal ("state", "kernel"), merging every signal's names:
  // the kernel ids are process-wide, so one table serves every PE.
  std::map<std::string, std::map<std::uint64_t, std::string>> filters;  // kind -> names
  for (const auto& s : signals) {
    if (s.value == nullptr || s.value->labels().empty()) continue;
    auto& names = filters[s.path.substr(s.path.rfind('.') + 1)];
    for (std::size_t v = 0; v < s.value->labels().size(); ++v) {
      if (!s.value->labels()[v].empty()) names[v] = s.value->labels()[v];
    }
  }
  std::map<std::string, std::pair<int, std::string>> filter_files;  // kind -> (slot, path)
  for (const auto& [kind, names] : filters) {
    const std::string path = fmt::format("{}.{}.filter", base, kind);
    std::ostringstream f;
    f << "# " << kind << " values of " << vcd << " (decimal value, name)\n";
    if (kind == "kernel") f << "0 -\n";
    for (const auto& [value, name] : names) f << value << ' ' << name << '\n';
    write_output_file(path, f.str());
    filter_files[kind] = {static_cast<int>(filter_files.size()) + 1,
                          std::filesystem::absolute(path).string()};
  }

  std::ostringstream out;
  out << "[*] KernBench/SC waveform view: gtkwave "
      << std::filesystem::path(save).filename().string() << "\n";
  out << "[dumpfile] \"" << std::filesystem::absolute(vcd).string() << "\"\n";
  out << "[timestart] 0\n[size] 1600 900\n[pos] -1 -1\n";
  // Zoom so that the whole run fits the waves pane (about 750 pixels), no marker set (the 26 named
  // markers unset). GTKWave's zoom z shows 2^-z / 195 picoseconds per pixel of this VCD (1 ps
  // timescale), measured on GTKWave 3.3 (Debian 12).
  const double per_pixel = std::max(1.0, static_cast<double>(end) / 750.0);
  out << fmt::format("*{:.6f} -1", -std::log2(per_pixel * 195.0));
  for (int m = 0; m < 26; ++m) out << " -1";
  out << '\n';
  out << "[sst_width] 300\n[signals_width] 420\n[sst_expanded] 1\n";
  std::vector<const models::ActivityTracer::Signal*> ordered;
  for (const auto& s : signals) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* x, const auto* y) {
    const std::string gx = group_of(x->path), gy = group_of(y->path);
    return gx != gy ? natural_less(gx, gy) : natural_less(x->path, y->path);
  });
  std::string group;
  for (const auto* signal : ordered) {
    const auto& s = *signal;
    const std::string g = group_of(s.path);
    if (g != group) {
      if (!group.empty()) out << fmt::format("@{:x}\n-{}\n", kGroupEnd, group);
      group = g;
      out << fmt::format("@{:x}\n-{}\n", kGroupBegin, group);
    }
    const std::string kind = s.path.substr(s.path.rfind('.') + 1);
    const auto filter = filter_files.find(kind);
    if (filter != filter_files.end() && s.value != nullptr) {
      out << fmt::format("@{:x}\n^{} {}\n", kDecimal | kFiltered, filter->second.first,
                         filter->second.second);
    } else {
      out << fmt::format("@{:x}\n", kDecimal);
    }
    // An alias relative to the group ("router:pe0:in", "core:state"): GTKWave would show
    // only the leaf, and many ports share one ("in", "out", "port").
    std::string alias = s.path.substr(std::min(s.path.size(), group.size() + 1));
    std::replace(alias.begin(), alias.end(), '.', ':');  // GTKWave cuts names at dots
    out << "+{" << alias << "} " << trace_name(s) << '\n';
  }
  if (!group.empty()) out << fmt::format("@{:x}\n-{}\n", kGroupEnd, group);
  write_output_file(save, out.str());
  return save;
}

}  // namespace kb::platform
