package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Before;
import org.junit.Test;

/** Instance tokens: only the current token of an active instance authenticates, and only as that instance. */
public class AuthenticationTest extends LifecycleTestBase {
    private String token1;
    private String token2;

    @Before
    public void twoRunningInstances() throws Exception {
        startAndWarmUp();
        heartbeat("a", 0.1, 0.1, 0, "process");
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        token1 = lastCommand("a").orElseThrow().path("token").asText();
        place(startMessage("i-2", "job-i-2:1", "process"));
        token2 = lastCommand("a").orElseThrow().path("token").asText();
        event("i-1", 1L, "RUNNING", null, null);
        event("i-2", 1L, "RUNNING", null, null);
    }

    @Test
    public void theRightTokenAuthenticatesItsInstance() {
        assertNotEquals(token1, token2);
        assertEquals("i-1", slc.authenticate("i-1", token1).orElseThrow().instanceId());
        assertEquals("i-2", slc.authenticate("i-2", token2).orElseThrow().instanceId());
        assertEquals("i-1", slc.authenticate(token1).orElseThrow().instanceId());
        assertEquals("i-2", slc.authenticate(token2).orElseThrow().instanceId());
    }

    @Test
    public void aWrongTokenOrAnotherInstancesTokenDoesNot() {
        assertTrue(slc.authenticate("i-1", token1 + "x").isEmpty());
        assertTrue(slc.authenticate("i-1", "").isEmpty());
        assertTrue(slc.authenticate("i-1", null).isEmpty());
        assertTrue(slc.authenticate("i-1", token2).isEmpty());
        assertTrue(slc.authenticate("i-404", token1).isEmpty());
        assertTrue(slc.authenticate("not-a-token").isEmpty());
        assertTrue(slc.authenticate((String) null).isEmpty());
    }

    @Test
    public void startingAndRestartingInstancesAuthenticateStoppedAndFailedOnesDoNot() throws Exception {
        event("i-1", 1L, "RESTARTING", null, "exit 1");
        assertTrue(slc.authenticate("i-1", token1).isPresent());
        event("i-1", 1L, "STOPPED", 0, "stopped by request");
        assertTrue(slc.authenticate("i-1", token1).isEmpty());
        assertTrue(slc.authenticate(token1).isEmpty());

        event("i-2", 1L, "FAILED", 2, "exit 2");
        assertTrue(slc.authenticate("i-2", token2).isEmpty());
    }

    @Test
    public void aNewStartMakesTheOldTokenWorthless() throws Exception {
        place(startMessage("i-1", "job-i-1:2", "process"));
        String fresh = lastCommand("a").orElseThrow().path("token").asText();
        assertNotEquals(token1, fresh);
        assertTrue(slc.authenticate("i-1", token1).isEmpty());
        assertTrue("STARTING is active", slc.authenticate("i-1", fresh).isPresent());
    }

    @Test
    public void tokensCompareBySha256() {
        assertTrue(Tokens.matches(token1, Tokens.sha256Hex(token1)));
        assertTrue(!Tokens.matches(token1, Tokens.sha256Hex(token2)));
        assertTrue(!Tokens.matches(token1, "zz"));
        assertTrue(!Tokens.matches(token1, null));
        assertEquals(64, Tokens.sha256Hex(token1).length());
    }
}
