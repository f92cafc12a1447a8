// Package all links every connector into the binary: importing it for its
// side effects registers each connector with connector.Default.
package all

import (
	// file registers the CSV folder and Excel workbook connector.
	_ "switchyard/connectors/file"
	// odata registers the OData v4 connector.
	_ "switchyard/connectors/odata"
	// rest registers the generic REST/JSON connector.
	_ "switchyard/connectors/rest"
	// workspace registers the connector to another Switchyard workspace.
	_ "switchyard/connectors/workspace"
)
