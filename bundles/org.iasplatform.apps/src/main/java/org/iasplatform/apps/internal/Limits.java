package org.iasplatform.apps.internal;

/**
 * The bounds an upload is held to.
 *
 * @param maxUploadBytes    largest archive accepted, as uploaded
 * @param maxEntries        most entries (files and folders) in an archive
 * @param maxInflatedBytes  largest total size of the archive's entries once inflated (measured while inflating)
 * @param maxEntryRatio     largest inflated/compressed ratio of one entry (entries inflating to less than
 *                          {@link #RATIO_FLOOR_BYTES} are not checked); 0: no ratio bound
 * @param maxAppConfigBytes largest appConfig.json
 */
record Limits(long maxUploadBytes, int maxEntries, long maxInflatedBytes, int maxEntryRatio, int maxAppConfigBytes) {
    /** Entries smaller than this once inflated are never refused for their ratio (small text compresses very well). */
    static final long RATIO_FLOOR_BYTES = 64 * 1024;

    Limits {
        if (maxUploadBytes <= 0 || maxEntries <= 0 || maxInflatedBytes <= 0 || maxEntryRatio < 0 || maxAppConfigBytes <= 0) {
            throw new IllegalArgumentException("app repository limits must be positive (the entry ratio 0 or more): "
                    + "max_upload_bytes=" + maxUploadBytes + ", max_entries=" + maxEntries + ", max_inflated_bytes="
                    + maxInflatedBytes + ", max_entry_ratio=" + maxEntryRatio + ", max_app_config_bytes=" + maxAppConfigBytes);
        }
    }
}
