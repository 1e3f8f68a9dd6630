#include "src/bundle/entry.h"

#include <limits>

#include "src/io/escape.h"
#include "src/tensor/dtype.h"
#include "src/tensor/tensor.h"

namespace tfckpt::bundle {

using tensor::DataTypeName;
using tensor::TensorShape;
using tensor::TensorSlice;

Status CheckVersions(const tensorflow::VersionDef& versions, int consumer,
                     int min_producer, std::string_view upper_name,
                     std::string_view lower_name) {
  if (versions.producer() < min_producer) {
    return InvalidArgumentError(StrCat(
        upper_name, " producer version ", versions.producer(),
        " below min producer ", min_producer, " supported by tfckpt.  Please regenerate your ",
        lower_name, "."));
  }
  if (versions.min_consumer() > consumer) {
    return InvalidArgumentError(StrCat(
        upper_name, " min consumer version ", versions.min_consumer(),
        " above current version ", consumer, " for tfckpt.  Please upgrade tfckpt."));
  }
  for (int bad : versions.bad_consumers()) {
    if (bad == consumer) {
      return InvalidArgumentError(StrCat(
          upper_name, " disallows consumer version ", bad,
          ".  Please upgrade tfckpt: this version is likely buggy."));
    }
  }
  return OkStatus();
}

Status ParseHeader(std::string_view bytes, const std::string& index_path,
                   tensorflow::BundleHeaderProto* header, BundleError* error) {
  const auto fail = [&](BundleErrorKind kind, std::string msg) {
    return BundleFail(error, StatusCode::kDataLoss, kind, index_path, "", std::nullopt,
                      StrCat("Unable to read file (", index_path, "). ", msg));
  };
  if (!header->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return fail(BundleErrorKind::kBadHeader,
                "Perhaps the file is corrupt or was produced by a newer version "
                "of TensorFlow with format changes (unable to parse header)");
  }
  if (header->num_shards() < 1 || header->num_shards() > kMaxShards) {
    return fail(BundleErrorKind::kBadHeader,
                StrCat("Header says num_shards = ", header->num_shards(),
                       ", expected 1 to ", kMaxShards));
  }
  if (header->endianness() != tensorflow::BundleHeaderProto::LITTLE &&
      header->endianness() != tensorflow::BundleHeaderProto::BIG) {
    return fail(BundleErrorKind::kBadHeader,
                StrCat("Header has endianness ", static_cast<int>(header->endianness()),
                       ", expected 0 (LITTLE) or 1 (BIG)"));
  }
  Status s = CheckVersions(header->version(), kTensorBundleVersion,
                           kTensorBundleMinProducer, "Checkpoint", "checkpoint");
  if (!s.ok()) {
    return BundleFail(error, StatusCode::kInvalidArgument,
                      BundleErrorKind::kVersionUnsupported, index_path, "",
                      std::nullopt, StrCat(index_path, ": ", s.message()));
  }
  return OkStatus();
}

std::string DisplayKey(std::string_view key) {
  if (!key.empty() && key[0] == '\0') {
    std::string name;
    TensorSlice slice;
    if (tensor::DecodeTensorNameSlice(key, &name, &slice).ok()) {
      return StrCat(DisplayKey(name), "[", slice.DebugString(), "]");
    }
  }
  return io::EscapeBytes(key, 0, 200);
}

Status ParseEntry(std::string_view key, std::string_view bytes,
                  const tensorflow::BundleHeaderProto& header,
                  const std::string& index_path, ParsedEntry* entry,
                  BundleError* error) {
  // Only for messages; building it per record costs real time.
  const auto shown = [&] { return DisplayKey(key); };
  const auto fail = [&](BundleErrorKind kind, std::string msg) {
    return BundleFail(error, StatusCode::kDataLoss, kind, index_path,
                      std::string(key), std::nullopt, std::move(msg));
  };
  tensorflow::BundleEntryProto& p = entry->proto;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return fail(BundleErrorKind::kBadEntry,
                StrCat("Entry for key ", shown(), " not parseable."));
  }
  const int dtype = p.dtype();
  if (!tensor::IsKnownDataType(dtype) || !tensor::IsSaveable(p.dtype())) {
    return fail(BundleErrorKind::kUnknownDtype,
                StrCat("Entry for key ", shown(), " has dtype ", dtype, " (",
                       DataTypeName(dtype), "), which a checkpoint cannot hold"));
  }
  // Shape: distinguish the defect classes the validator reports.
  const auto& sp = p.shape();
  if (sp.unknown_rank() || sp.dim_size() > TensorShape::kMaxRank) {
    return fail(BundleErrorKind::kInvalidShape,
                StrCat("Invalid tensor shape: ", shown(), " ",
                       tensor::ShapeProtoDebugString(sp)));
  }
  for (int i = 0; i < sp.dim_size(); ++i) {
    if (sp.dim(i).size() < 0) {
      return fail(BundleErrorKind::kNegativeDim,
                  StrCat("Invalid tensor shape: ", shown(), " ",
                         tensor::ShapeProtoDebugString(sp), " (dimension ", i,
                         " is negative)"));
    }
  }
  auto shape = TensorShape::FromProto(sp);
  if (!shape.ok()) {
    return fail(BundleErrorKind::kSizeOverflow,
                StrCat("Invalid tensor shape: ", shown(), " ",
                       tensor::ShapeProtoDebugString(sp), " (", shape.status().message(), ")"));
  }
  entry->shape = *shape;
  entry->slices.clear();

  if (p.slices_size() > 0) {
    if (p.slices_size() > kMaxSlicesPerTensor) {
      return fail(BundleErrorKind::kBadSlice,
                  StrCat("Entry for key ", shown(), " has ", p.slices_size(),
                         " slices; at most ", kMaxSlicesPerTensor, " are supported"));
    }
    for (int i = 0; i < p.slices_size(); ++i) {
      auto slice = TensorSlice::FromProto(p.slices(i));
      Status s = slice.ok() ? slice->SliceShape(entry->shape).status() : slice.status();
      if (!s.ok()) {
        return fail(BundleErrorKind::kBadSlice,
                    StrCat("Entry for key ", shown(), " has an invalid slice ", i, ": ",
                           s.message()));
      }
      entry->slices.push_back(*slice);
    }
    return OkStatus();  // data fields are unused for partitioned entries
  }

  if (p.shard_id() < 0 || p.shard_id() >= header.num_shards()) {
    return fail(BundleErrorKind::kShardIdOutOfRange,
                StrCat("Entry for key ", shown(), " has shard_id ", p.shard_id(),
                       " but the bundle has ", header.num_shards(), " shard(s)"));
  }
  if (p.offset() < 0 || p.size() < 0 ||
      p.offset() > std::numeric_limits<int64_t>::max() - p.size()) {
    return fail(BundleErrorKind::kOffsetOutOfRange,
                StrCat("Entry for key ", shown(), " has offset ", p.offset(),
                       " and size ", p.size(), ", which do not describe a byte range"));
  }
  const int64_t n = entry->shape.num_elements();
  if (p.dtype() == tensorflow::DT_STRING) {
    // Each element needs at least one length byte, plus the 4-byte checksum.
    if (p.size() < n || p.size() - n < 4) {
      return fail(BundleErrorKind::kSizeMismatch,
                  StrCat("Invalid size in bundle entry: key ", shown(), "; stored size ",
                         p.size(), "; expected at least ", n, " + 4 bytes for ", n,
                         " string(s)"));
    }
  } else if (p.dtype() == tensorflow::DT_VARIANT) {
    // Structure checked when read (unsupported).
  } else {
    uint64_t expected;
    if (!tensor::NumericByteSize(p.dtype(), n, &expected)) {
      return fail(BundleErrorKind::kSizeOverflow,
                  StrCat("Entry for key ", shown(), ": ", n, " elements of ",
                         DataTypeName(dtype), " overflow a 64-bit byte count"));
    }
    if (static_cast<uint64_t>(p.size()) != expected) {
      return fail(BundleErrorKind::kSizeMismatch,
                  StrCat("Invalid size in bundle entry: key ", shown(), "; stored size ",
                         p.size(), "; expected size ", expected));
    }
  }
  return OkStatus();
}

}  // namespace tfckpt::bundle
