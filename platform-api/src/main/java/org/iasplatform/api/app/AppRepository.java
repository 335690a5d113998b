package org.iasplatform.api.app;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

import org.iasplatform.api.IasException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The application repository: app.zip packages stored in MongoDB GridFS, one version per upload. An upload is checked
 * completely before anything is stored (safe archive, appConfig.json against the app-config validators, every named
 * algorithm file present, every input sensor type registered).
 */
@ProviderType
public interface AppRepository {
    /**
     * Checks and stores an app.zip as the next version of its application.
     *
     * @param zip           the archive (read to its end, bounded by the repository's size limit)
     * @param applicationId the id to store it under; null: appConfig's {@code application_id}, else its name
     * @param uploadedBy    the uploading user
     * @throws IasException INVALID (bad archive or appConfig, missing file), TOO_LARGE (over a bound), UNPROCESSABLE
     *                      (an input sensor type is not registered), CONFLICT (the id belongs to another application name),
     *                      UNAVAILABLE (store down; nothing stored)
     */
    AppVersion upload(InputStream zip, String applicationId, String uploadedBy) throws IasException;

    /** The latest version of every application. */
    List<AppVersion> apps();

    /** Every version of an application (by id, or else by name), oldest first; empty if unknown. */
    List<AppVersion> versions(String applicationIdOrName);

    /** The latest version of an application by id, or else by name. */
    Optional<AppVersion> latest(String applicationIdOrName);

    /** One version; {@code version <= 0} means the latest. */
    Optional<AppVersion> version(String applicationIdOrName, int version);

    /** Writes the stored zip of a version to {@code out}. NOT_FOUND if there is no such version. */
    void download(String applicationIdOrName, int version, OutputStream out) throws IasException;

    /**
     * Deletes an application and all its versions. CONFLICT while an instance of it is not STOPPED or FAILED; NOT_FOUND if
     * unknown.
     */
    void delete(String applicationIdOrName) throws IasException;
}
