// Package all links every connector into the binary: importing it for its
// side effects registers each connector with connector.Default.
package all

import (
	// odata registers the OData v4 connector.
	_ "switchyard/connectors/odata"
)
