package org.iasplatform.deployer.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;

/** An {@link AppRepository} over a list of versions (uploads are not under test here). */
final class FakeAppRepository implements AppRepository {
    final List<AppVersion> versions = new CopyOnWriteArrayList<>();

    @Override
    public AppVersion upload(InputStream zip, String applicationId, String uploadedBy) throws IasException {
        throw new IasException(ErrorKind.INVALID, "", "not in this test");
    }

    @Override
    public List<AppVersion> apps() {
        return versions;
    }

    @Override
    public List<AppVersion> versions(String applicationIdOrName) {
        return versions.stream().filter(v -> v.applicationId().equals(applicationIdOrName)
                || v.applicationName().equals(applicationIdOrName)).sorted(Comparator.comparingInt(AppVersion::version))
                .toList();
    }

    @Override
    public Optional<AppVersion> latest(String applicationIdOrName) {
        List<AppVersion> all = versions(applicationIdOrName);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    @Override
    public Optional<AppVersion> version(String applicationIdOrName, int version) {
        return version <= 0 ? latest(applicationIdOrName)
                : versions(applicationIdOrName).stream().filter(v -> v.version() == version).findFirst();
    }

    @Override
    public void download(String applicationIdOrName, int version, OutputStream out) throws IasException {
        throw new IasException(ErrorKind.NOT_FOUND, "", "not in this test");
    }

    @Override
    public void delete(String applicationIdOrName) {
        versions.removeIf(v -> v.applicationId().equals(applicationIdOrName));
    }
}
