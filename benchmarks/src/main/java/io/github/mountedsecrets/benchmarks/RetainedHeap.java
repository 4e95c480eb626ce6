package io.github.mountedsecrets.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.openjdk.jol.vm.VM;
import org.openjdk.jol.vm.VirtualMachine;

/**
 * Measures the heap an object graph holds, two ways.
 *
 * <p>{@link #unique}: walks the graph from a root with JOL's exact object sizes and counts the
 * objects that a second, independent instance built the same way does not reach. What both
 * reach (enum constants, loggers, the file system, a shared clock) is the JVM's and the
 * library's fixed cost, not the instance's. The walk stops at class loaders, classes, modules,
 * thread groups, protection domains, file systems and at the internal links of references and
 * cleaners, which otherwise lead to every object of the JVM.
 *
 * <p>{@link #usedAfterGc()}: the used heap after several full collections, for the
 * cross-check that builds many instances and divides the growth by their number.
 */
final class RetainedHeap {
  private static final VirtualMachine JVM = VM.current();
  private static final List<Class<?>> STOP = Stream.of("java.lang.Class", "java.lang.ClassLoader",
      "java.lang.ThreadGroup", "java.lang.Module", "java.security.ProtectionDomain",
      "java.security.AccessControlContext", "java.nio.file.FileSystem",
      "java.nio.file.spi.FileSystemProvider").<Class<?>>map(RetainedHeap::load).toList();
  /** Classes whose own reference fields link unrelated objects (reference queues, cleaner lists). */
  private static final Set<String> OPAQUE_DECLARERS = Set.of("java.lang.ref.Reference",
      "jdk.internal.ref.PhantomCleanable", "jdk.internal.ref.WeakCleanable",
      "jdk.internal.ref.SoftCleanable", "java.lang.ref.Cleaner", "jdk.internal.ref.CleanerImpl");
  private static final ConcurrentHashMap<Class<?>, long[]> OFFSETS = new ConcurrentHashMap<>();

  private RetainedHeap() {}

  /**
   * Returns the bytes of the objects reachable from {@code root} that are not reachable from
   * {@code twin}.
   *
   * @param root the instance measured
   * @param twin an instance built the same way, kept alive while this runs
   * @return bytes held by {@code root} alone
   */
  static long unique(Object root, Object twin) {
    Set<Object> shared = reach(twin);
    long bytes = 0;
    for (Object o : reach(root)) {
      if (!shared.contains(o)) {
        bytes += JVM.sizeOf(o);
      }
    }
    return bytes;
  }

  private static Set<Object> reach(Object root) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Object> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Object o = stack.pop();
      if (o == null || seen.contains(o) || stops(o)) {
        continue;
      }
      seen.add(o);
      Class<?> type = o.getClass();
      if (type.isArray()) {
        if (!type.getComponentType().isPrimitive()) {
          for (Object element : (Object[]) o) {
            if (element != null) {
              stack.push(element);
            }
          }
        }
        continue;
      }
      for (long offset : OFFSETS.computeIfAbsent(type, RetainedHeap::referenceOffsets)) {
        Object next = JVM.getObject(o, offset);
        if (next != null) {
          stack.push(next);
        }
      }
    }
    return seen;
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean stops(Object o) {
    for (Class<?> type : STOP) {
      if (type.isInstance(o)) {
        return true;
      }
    }
    return false;
  }

  private static long[] referenceOffsets(Class<?> type) {
    List<Long> offsets = new ArrayList<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (OPAQUE_DECLARERS.contains(c.getName())) {
        continue;
      }
      for (Field field : c.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers()) && !field.getType().isPrimitive()) {
          offsets.add(JVM.fieldOffset(field));
        }
      }
    }
    return offsets.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Returns the used heap after five full collections a tenth of a second apart.
   *
   * @return bytes in use
   */
  static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 5; i++) {
      System.gc();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
