#include "platform/topology/loader.h"

#include "models/protocol/phys_addr.h"
#include "platform/topology/schema.h"
#include "platform/util/config_file.h"
#include "platform/util/did_you_mean.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace kb::platform {

namespace {

using models::PhysAddrLayout;

std::string join_path(const std::string& section, const std::string& key) {
  return section.empty() ? key : section + "." + key;
}

class Loader {
 public:
  explicit Loader(std::string source) : source_(std::move(source)) {}

  void read_document(std::string_view yaml) {
    const YAML::Node root = parse_config_document(std::string(yaml), source_);
    if (root.IsNull()) return;  // an empty file asks for every default
    if (!root.IsMap()) {
      throw ConfigError(located(source_, root.Mark()), "",
                        "a topology is a mapping with the sections: " +
                            fmt::format("{}", fmt::join(section_keys(""), ", ")));
    }
    read_section(root, "");
  }

  void apply_override(const std::string& text) {
    const SourceLocation where{"--set " + text, 0, 0};
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(where, "", "expected KEY.PATH=VALUE");
    }
    const std::string path = text.substr(0, eq);
    const FieldSpec* spec = find_field(path);
    if (spec == nullptr) {
      if (is_section(path)) {
        throw ConfigError(where, path,
                          fmt::format("is a section; set one of its keys: {}",
                                      fmt::join(section_keys(path), ", ")));
      }
      throw ConfigError(where, path, unknown_key_message(path));
    }
    YAML::Node value;
    try {
      value = YAML::Load(text.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      throw ConfigError(where, path, "malformed value: " + e.msg);
    }
    assign(*spec, value, where);
  }

  Topology finish() {
    derive_sip_count();
    validate();
    validate_levels();
    return topology_;
  }

 private:
  void read_section(const YAML::Node& map, const std::string& section) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const YAML::Node& key_node = entry.first;
      const SourceLocation where = located(source_, key_node.Mark());
      if (!key_node.IsScalar()) {
        throw ConfigError(where, section, "keys must be plain names");
      }
      const std::string path = join_path(section, key_node.Scalar());
      if (key_node.Scalar().find('.') != std::string::npos) {
        // Expanding it would let it contradict the same key written nested.
        throw ConfigError(where, path,
                          fmt::format("a dotted key is not a path in a file: nest it ({}), or "
                                      "give it on the command line as --set {}=VALUE",
                                      nested_form(path), path));
      }
      if (!seen.insert(key_node.Scalar()).second) {
        throw ConfigError(where, path, "is given twice in the same mapping");
      }
      if (const FieldSpec* spec = find_field(path)) {
        assign(*spec, entry.second, where);
      } else if (is_section(path)) {
        if (entry.second.IsMap()) {
          read_section(entry.second, path);
        } else if (entry.second.IsSequence() && is_list(path)) {
          read_list(entry.second, path, where);
        } else if (!entry.second.IsNull()) {
          throw ConfigError(where, path,
                            fmt::format("expected a mapping with the keys: {}",
                                        fmt::join(section_keys(path), ", ")));
        }
      } else {
        throw ConfigError(where, path, unknown_key_message(path));
      }
    }
  }

  // A section whose keys are 0, 1, ...: in a file, a list of mappings.
  static bool is_list(const std::string& path) {
    const std::vector<std::string> keys = section_keys(path);
    return !keys.empty() && keys.front() == "0";
  }

  void read_list(const YAML::Node& list, const std::string& path, const SourceLocation& where) {
    const std::size_t most = section_keys(path).size();
    if (list.size() > most) {
      throw ConfigError(where, path, fmt::format("has {} entries; at most {}", list.size(), most));
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string item = fmt::format("{}.{}", path, i);
      if (!list[i].IsMap()) {
        throw ConfigError(located(source_, list[i].Mark()), item,
                          fmt::format("expected a mapping with the keys: {}",
                                      fmt::join(section_keys(item), ", ")));
      }
      read_section(list[i], item);
    }
  }

  // "a.b.c" as "a: {b: {c: ...}}".
  static std::string nested_form(const std::string& path) {
    std::string out;
    std::size_t depth = 0;
    for (std::size_t begin = 0;;) {
      const auto dot = path.find('.', begin);
      out += path.substr(begin, dot - begin) + ": ";
      if (dot == std::string::npos) break;
      out += "{";
      ++depth;
      begin = dot + 1;
    }
    return out + "..." + std::string(depth, '}');
  }

  static std::string unknown_key_message(const std::string& path) {
    const auto dot = path.rfind('.');
    const std::string section = dot == std::string::npos ? "" : path.substr(0, dot);
    const std::string key = path.substr(dot == std::string::npos ? 0 : dot + 1);
    std::string message = "unknown key";
    if (auto suggestion = suggest(path, key)) {
      message += fmt::format(" (did you mean '{}'?)", *suggestion);
    }
    if (is_section(section)) {
      message += fmt::format("; the keys {} are: {}",
                             section.empty() ? "at the top level" : "under " + section,
                             fmt::join(section_keys(section), ", "));
    }
    return message;
  }

  // A near-miss of a known path (a typo), or the one known path ending in the same key
  // (a key put in the wrong section).
  static std::optional<std::string> suggest(const std::string& path, const std::string& key) {
    std::vector<std::string> paths;
    std::vector<std::string> same_key;
    for (const auto& f : topology_schema()) {
      for (auto dot = f.path.find('.'); dot != std::string::npos; dot = f.path.find('.', dot + 1)) {
        paths.push_back(f.path.substr(0, dot));
      }
      paths.push_back(f.path);
      if (f.path.size() > key.size() &&
          f.path.compare(f.path.size() - key.size(), key.size(), key) == 0 &&
          f.path[f.path.size() - key.size() - 1] == '.') {
        same_key.push_back(f.path);
      }
    }
    if (auto near = did_you_mean(path, paths)) return near;
    if (same_key.size() == 1) return same_key.front();
    return std::nullopt;
  }

  void assign(const FieldSpec& spec, const YAML::Node& node, const SourceLocation& where) {
    origins_[spec.path] = where;
    auto fail = [&](const std::string& what) -> ConfigError {
      return ConfigError(where, spec.path, fmt::format("{}; allowed: {}", what, spec.allowed()));
    };
    std::visit(
        [&](auto* target) {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            *target = read_choice_list(spec, node, fail);
          } else if constexpr (std::is_same_v<T, std::string>) {
            *target = read_choice(spec, node, fail);
          } else if constexpr (std::is_same_v<T, double>) {
            *target = read_real(spec, node, fail);
          } else {
            *target = read_integer(spec, node, fail);
          }
        },
        spec.bind(topology_));
  }

  template <class Fail>
  static std::string scalar_of(const YAML::Node& node, Fail& fail) {
    if (node.IsNull()) throw fail("has no value");
    if (!node.IsScalar()) throw fail("expected a single value, got a list or mapping");
    return node.Scalar();
  }

  template <class Fail>
  static double read_real(const FieldSpec& spec, const YAML::Node& node, Fail& fail) {
    const std::string text = scalar_of(node, fail);
    double value = 0.0;
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    in >> value;
    if (in.fail() || !in.eof() || !std::isfinite(value)) {
      throw fail(fmt::format("expected a number, got '{}'", text));
    }
    check_range(spec, value, text, fail);
    return value;
  }

  template <class Fail>
  static std::int64_t read_integer(const FieldSpec& spec, const YAML::Node& node, Fail& fail) {
    const std::string text = scalar_of(node, fail);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      throw fail(fmt::format("expected an integer, got '{}'", text));
    }
    check_range(spec, static_cast<double>(value), text, fail);
    return value;
  }

  template <class Fail>
  static void check_range(const FieldSpec& spec, double value, const std::string& text,
                          Fail& fail) {
    const bool too_low = spec.min_exclusive ? value <= spec.min : value < spec.min;
    const bool too_high = value > spec.max;
    if (too_low || too_high) throw fail(fmt::format("{} is out of range", text));
  }

  template <class Fail>
  static std::string read_choice(const FieldSpec& spec, const YAML::Node& node, Fail& fail) {
    std::string text = scalar_of(node, fail);
    if (std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end()) {
      throw fail(fmt::format("'{}' is not a valid value", text));
    }
    return text;
  }

  template <class Fail>
  static std::vector<std::string> read_choice_list(const FieldSpec& spec, const YAML::Node& node,
                                                   Fail& fail) {
    if (!node.IsSequence() || node.size() == 0) throw fail("expected a non-empty list");
    std::vector<std::string> values;
    for (const auto& item : node) {
      std::string text = read_choice(spec, item, fail);
      if (std::find(values.begin(), values.end(), text) != values.end()) {
        throw fail(fmt::format("'{}' is listed twice", text));
      }
      values.push_back(std::move(text));
    }
    return values;
  }

  // Where a key's value came from; a default is attributed to the document itself.
  SourceLocation origin(const std::string& path) const {
    const auto it = origins_.find(path);
    if (it != origins_.end()) return it->second;
    return {source_ + " (default value)", 0, 0};
  }

  // A contradiction between `path` and the keys in `also`: reported at the first of them
  // the user wrote (a default has no line to point at), naming `path` if it is a default.
  [[noreturn]] void reject(const std::string& path, const std::string& message,
                           const std::vector<std::string>& also = {}) const {
    std::vector<std::string> keys{path};
    keys.insert(keys.end(), also.begin(), also.end());
    const auto written = std::find_if(keys.begin(), keys.end(),
                                      [&](const std::string& k) { return written_by_user(k); });
    const std::string& at = written == keys.end() ? path : *written;
    std::string text = message;
    if (at != path) {
      text = fmt::format("conflicts with the default {} = {}: {}", path, value_of(path), message);
    }
    throw ConfigError(origin(at), at, text);
  }

  // Given in the user's file or a --set; the embedded default's keys are defaults.
  bool written_by_user(const std::string& path) const {
    const auto it = origins_.find(path);
    return it != origins_.end() && it->second.source != kDefaultTopologySource;
  }

  std::string value_of(const std::string& path) const {
    const FieldSpec* spec = find_field(path);
    return spec == nullptr ? "?" : spec->value_text(topology_);
  }

  static std::string level_key(std::size_t level, const std::string& key) {
    return fmt::format("system.inter_sip.levels.{}.{}", level, key);
  }

  // The levels' sizes multiply to the SIP count: given levels and no count, they give it.
  void derive_sip_count() {
    if (written_by_user("system.sips.count")) return;
    std::int64_t product = 1;
    // At most 4 sizes of at most 1024 each: no overflow; validate_levels() bounds it.
    for (const auto& level : topology_.system.inter_sip.levels) {
      if (level.size > 0) product *= level.size;
    }
    if (topology_.system.inter_sip.levels.front().size > 0) topology_.system.sips.count = product;
  }

  // Any key under `prefix` given in the user's file or a --set.
  bool any_written_under(const std::string& prefix) const {
    for (const auto& [path, where] : origins_) {
      if (path.rfind(prefix, 0) == 0 && written_by_user(path)) return true;
    }
    return false;
  }

  void validate_levels() const {
    const auto& levels = topology_.system.inter_sip.levels;
    std::int64_t product = 1;
    std::vector<std::string> sizes;
    std::string text;
    for (std::size_t i = 0; i < levels.size(); ++i) {
      const std::string size = level_key(i, "size");
      if (levels[i].size == 0) {
        if (any_written_under(level_key(i, ""))) {
          reject(size, fmt::format("level {} needs its size: the SIPs in each of its groups", i));
        }
        continue;
      }
      if (i > 0 && levels[i - 1].size == 0) {
        reject(size, fmt::format("level {} is given without level {}: levels are listed "
                                 "innermost first, without gaps",
                                 i, i - 1));
      }
      if (levels[i].size == 1) reject(size, "a level of 1 SIP joins nothing: 2 or more");
      product *= levels[i].size;
      sizes.push_back(size);
      text += fmt::format("{}{}", text.empty() ? "" : " x ", levels[i].size);
    }
    if (sizes.empty()) return;
    for (const char* one_level : {"system.inter_sip.topology", "system.inter_sip.link."}) {
      if (any_written_under(one_level)) {
        const auto it = std::find_if(origins_.begin(), origins_.end(), [&](const auto& o) {
          return o.first.rfind(one_level, 0) == 0 && written_by_user(o.first);
        });
        throw ConfigError(it->second, it->first,
                          "the one-level network and system.inter_sip.levels describe the same "
                          "links: give the levels alone (each has its topology and link)");
      }
    }
    if (product > static_cast<std::int64_t>(PhysAddrLayout::max_sips)) {
      reject(sizes.back(),
             fmt::format("the levels hold {} = {} SIPs; at most {} fit the physical "
                         "address",
                         text, product, PhysAddrLayout::max_sips),
             sizes);
    }
    if (product != topology_.system.sips.count) {
      reject("system.sips.count",
             fmt::format("is {} but the network's levels hold {} = {} SIPs; the sizes multiply "
                         "to the SIP count",
                         topology_.system.sips.count, text, product),
             sizes);
    }
  }

  // Checks that involve more than one key, or the physical address map.
  void validate() const {
    const Topology& t = topology_;
    const auto& mesh = t.sip.cube_mesh;
    if (t.system.sips.cubes_per_sip && *t.system.sips.cubes_per_sip != t.cubes_per_sip()) {
      reject("system.sips.cubes_per_sip",
             fmt::format("is {} but sip.cube_mesh is {} x {} = {} cubes; give one or make "
                         "them agree",
                         *t.system.sips.cubes_per_sip, mesh.w, mesh.h, t.cubes_per_sip()),
             {"sip.cube_mesh.w", "sip.cube_mesh.h"});
    }
    if (static_cast<std::uint64_t>(t.cubes_per_sip()) > PhysAddrLayout::max_cubes) {
      reject("sip.cube_mesh.w",
             fmt::format("a {} x {} mesh has {} cubes; at most {} fit the "
                         "physical address",
                         mesh.w, mesh.h, t.cubes_per_sip(), PhysAddrLayout::max_cubes),
             {"sip.cube_mesh.h"});
    }
    if (t.sip.io_cube.x >= mesh.w) {
      reject("sip.io_cube.x",
             fmt::format("{} is outside the mesh (w = {})", t.sip.io_cube.x, mesh.w),
             {"sip.cube_mesh.w"});
    }
    if (t.sip.io_cube.y >= mesh.h) {
      reject("sip.io_cube.y",
             fmt::format("{} is outside the mesh (h = {})", t.sip.io_cube.y, mesh.h),
             {"sip.cube_mesh.h"});
    }
    if (static_cast<std::uint64_t>(t.pes_per_cube()) > models::kMcpuUnit) {
      reject("cube.pe_layout.pe_per_corner",
             fmt::format("{} corners x {} PEs = {} PEs per cube; at most {} fit the physical "
                         "address",
                         t.cube.pe_layout.corners.size(), t.cube.pe_layout.pe_per_corner,
                         t.pes_per_cube(), models::kMcpuUnit),
             {"cube.pe_layout.corners"});
    }
    if (t.world_size() > kMaxWorldSize) {
      reject("system.sips.count",
             fmt::format("{} SIPs x {} cubes x {} PEs = {} PEs; at most {} are modelled: each "
                         "takes about 40 KiB of host memory and elaboration time",
                         t.system.sips.count, t.cubes_per_sip(), t.pes_per_cube(), t.world_size(),
                         kMaxWorldSize),
             {"sip.cube_mesh.w", "sip.cube_mesh.h", "cube.pe_layout.pe_per_corner"});
    }
    const std::string page_key = "cube.pe_template.components.pe_mmu.attrs.page_size";
    const std::uint64_t page = t.page_size();
    if ((page & (page - 1)) != 0) {
      reject(page_key, fmt::format("{} is not a power of two", page));
    }
    check_bytes("cube.memory_map.hbm_total_gb_per_cube", t.cube.memory_map.hbm_total_gb_per_cube,
                kGiB, page * static_cast<std::uint64_t>(t.cube.memory_map.hbm_slices_per_cube),
                fmt::format("{} slices of whole {}-byte pages",
                            t.cube.memory_map.hbm_slices_per_cube, page),
                {page_key, "cube.memory_map.hbm_slices_per_cube"});
    if (t.hbm_bytes_per_slice() > PhysAddrLayout::max_offset + 1) {
      reject("cube.memory_map.hbm_total_gb_per_cube",
             fmt::format("gives {} bytes per HBM slice; at most {} fit the physical address",
                         t.hbm_bytes_per_slice(), PhysAddrLayout::max_offset + 1),
             {"cube.memory_map.hbm_slices_per_cube"});
    }
    const std::string tcm = "cube.pe_template.components.pe_tcm.attrs.";
    const auto& tcm_attrs = t.cube.pe_template.components.pe_tcm.attrs;
    check_bytes(tcm + "size_mb", tcm_attrs.size_mb, kMiB, page, "whole pages", {page_key});
    check_bytes(tcm + "reserved_mb", tcm_attrs.reserved_mb, kMiB, page, "whole pages", {page_key});
    if (t.tcm_reserved_bytes() >= t.tcm_bytes_per_pe()) {
      reject(tcm + "reserved_mb",
             fmt::format("{} MiB reserved leaves nothing of a {} MiB TCM", tcm_attrs.reserved_mb,
                         tcm_attrs.size_mb),
             {tcm + "size_mb"});
    }
    if (t.tcm_bytes_per_pe() > PhysAddrLayout::max_offset + 1) {
      reject(tcm + "size_mb", "is larger than the physical address offset can reach");
    }
    check_bytes("cube.memory_map.sram_mb", t.cube.memory_map.sram_mb, kMiB, page, "whole pages",
                {page_key});
    if (t.sram_bytes_per_cube() > PhysAddrLayout::max_offset + 1) {
      reject("cube.memory_map.sram_mb", "is larger than the physical address offset can reach");
    }
  }

  // `amount` x `unit` must be a whole number of bytes and a multiple of `granule`.
  void check_bytes(const std::string& path, double amount, std::uint64_t unit,
                   std::uint64_t granule, const std::string& granule_text,
                   const std::vector<std::string>& also) const {
    const double bytes = amount * static_cast<double>(unit);
    const double whole = std::round(bytes);
    if (bytes != whole || static_cast<std::uint64_t>(whole) % granule != 0) {
      reject(path, fmt::format("{} gives {} bytes, which is not {}", amount, bytes, granule_text),
             also);
    }
  }

  std::string source_;
  Topology topology_;
  std::map<std::string, SourceLocation> origins_;
};

}  // namespace

Topology load_topology_text(std::string_view yaml, const std::string& source,
                            const Overrides& overrides) {
  Loader loader(source);
  loader.read_document(yaml);
  for (const auto& text : overrides) loader.apply_override(text);
  return loader.finish();
}

Topology load_topology_file(const std::string& path, const Overrides& overrides) {
  return load_topology_text(read_config_file(path, "topology file"), path, overrides);
}

Topology load_default_topology(const Overrides& overrides) {
  return load_topology_text(default_topology_yaml(), kDefaultTopologySource, overrides);
}

Topology load_topology(const std::optional<std::string>& file, const Overrides& overrides) {
  return file ? load_topology_file(*file, overrides) : load_default_topology(overrides);
}

std::string topology_source(const std::optional<std::string>& file) {
  return file.value_or(kDefaultTopologySource);
}

}  // namespace kb::platform
