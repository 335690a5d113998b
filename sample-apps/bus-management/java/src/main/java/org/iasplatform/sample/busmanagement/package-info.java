/**
 * The seed's Bus_management application as Java algorithms: one OSGi bundle ({@code bus-management-algorithms.jar} in the
 * app.zip) with two Declarative Services components, {@code ias.algorithm=lightControl} and
 * {@code ias.algorithm=fareCalculator}, run by the platform's bundle runtime. Nothing is exported.
 */
package org.iasplatform.sample.busmanagement;
