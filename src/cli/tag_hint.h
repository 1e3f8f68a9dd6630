// Tag-set errors of the SavedModel loader, made helpful (run, freeze).
#ifndef TFCKPT_CLI_TAG_HINT_H_
#define TFCKPT_CLI_TAG_HINT_H_

#include <string>
#include <vector>

#include "src/io/status.h"

namespace tfckpt::cli {

// TF's "MetaGraphDef associated with tags ... could not be found" error
// (which sends users to saved_model_cli) with "did you mean" for each
// requested tag the SavedModel at `export_dir` lacks and a pointer to
// `tfckpt show`; any other status unchanged.
Status WithTagHint(const Status& status, const std::string& export_dir,
                   const std::vector<std::string>& tags);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_TAG_HINT_H_
