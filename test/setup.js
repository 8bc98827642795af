// CDKTF's jest matchers (toHaveResourceWithProperties, ...).
require("cdktf").Testing.setupJest();
