package org.iasplatform.runtime.bundle.internal;

import org.iasplatform.testsupport.RecordingInstanceListener;

/** Records what a runtime reports about one instance. */
final class RecordingListener extends RecordingInstanceListener {
}
