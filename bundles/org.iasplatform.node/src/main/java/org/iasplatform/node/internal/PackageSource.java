package org.iasplatform.node.internal;

import java.io.IOException;
import java.io.InputStream;

/** Where the node agent reads app packages from (GridFS in the platform; a map in tests). */
interface PackageSource {
    /**
     * Opens the package with this id for reading.
     *
     * @throws java.io.FileNotFoundException when there is no such package
     * @throws IOException when the store cannot be read (the message says why)
     */
    InputStream open(String packageId) throws IOException;
}
