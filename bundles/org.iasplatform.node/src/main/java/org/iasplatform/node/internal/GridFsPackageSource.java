package org.iasplatform.node.internal;

import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.bson.types.ObjectId;

import com.mongodb.MongoException;
import com.mongodb.MongoGridFSException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;

/**
 * App packages in GridFS: database {@value #DATABASE}, bucket {@value #BUCKET}, file id {@code ObjectId(package_id)}
 * (docs/pipeline-messages.md, "App packages").
 */
final class GridFsPackageSource implements PackageSource {
    static final String DATABASE = "app_repo";
    static final String BUCKET = "packages";

    private final MongoClient mongo;

    GridFsPackageSource(MongoClient mongo) {
        this.mongo = mongo;
    }

    @Override
    public InputStream open(String packageId) throws IOException {
        if (packageId == null || !ObjectId.isValid(packageId)) {
            throw new FileNotFoundException("package_id \"" + packageId + "\" is not an ObjectId in hex");
        }
        GridFSBucket bucket = GridFSBuckets.create(mongo.getDatabase(DATABASE), BUCKET);
        try {
            return new MongoFailures(bucket.openDownloadStream(new ObjectId(packageId)), packageId);
        } catch (MongoGridFSException e) {
            throw new FileNotFoundException("package " + packageId + " is not in GridFS " + DATABASE + "." + BUCKET
                    + ": " + e.getMessage());
        } catch (MongoException e) {
            throw new IOException("the app repository (MongoDB) cannot be read: " + e.getMessage(), e);
        }
    }

    /** The driver reports read failures as unchecked MongoExceptions; callers expect IOExceptions. */
    private static final class MongoFailures extends FilterInputStream {
        private final String packageId;

        MongoFailures(InputStream in, String packageId) {
            super(in);
            this.packageId = packageId;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (MongoException e) {
                throw failure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (MongoException e) {
                throw failure(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } catch (MongoException e) {
                throw failure(e);
            }
        }

        private IOException failure(MongoException e) {
            return new IOException("reading package " + packageId + " from GridFS failed: " + e.getMessage(), e);
        }
    }
}
