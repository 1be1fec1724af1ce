import JSONRPCCore
import NIOCore
import Testing

/// The connection's decisions as values, with the time passed in: no channel, no sleeps.
@Suite("Connection state machine")
struct ConnectionStateMachineTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    private func machine(idle: TimeAmount? = .seconds(10), pending: Int = 2) -> ConnectionStateMachine {
        ConnectionStateMachine(idleTimeout: idle, pendingLimit: pending, now: self.start)
    }

    @Test("reads are held back at the pending limit, while not writable and while stalled, and owed afterwards")
    func readsAreHeldBackAndOwed() {
        var machine = self.machine(pending: 2)
        let step1 = machine.readRequested(pending: 1, writable: true)
        #expect(step1)
        #expect(!machine.readDeferred)
        let step2 = machine.readRequested(pending: 2, writable: true)
        #expect(!step2)
        #expect(machine.readDeferred)
        // Still at the limit: the read stays owed.
        let step3 = machine.resumeDeferredRead(pending: 2, writable: true)
        #expect(!step3)
        let step4 = machine.resumeDeferredRead(pending: 0, writable: false)
        #expect(!step4)
        let step5 = machine.resumeDeferredRead(pending: 1, writable: true)
        #expect(step5)
        #expect(!machine.readDeferred)
        // Owed once only.
        let step6 = machine.resumeDeferredRead(pending: 0, writable: true)
        #expect(!step6)
        machine.setStalled(true)
        let step7 = machine.readRequested(pending: 0, writable: true)
        #expect(!step7)
        machine.setStalled(false)
        let step8 = machine.resumeDeferredRead(pending: 0, writable: true)
        #expect(step8)
    }

    @Test("a pending limit below 1 counts as 1")
    func pendingLimitIsAtLeastOne() {
        let machine = self.machine(pending: 0)
        #expect(machine.pendingLimit == 1)
        #expect(machine.mayDispatch(pending: 0, writable: true))
        #expect(!machine.mayDispatch(pending: 1, writable: true))
    }

    @Test("an open connection ends only after the input ended, nothing is stalled and every response is out")
    func openConnectionFinishes() {
        var machine = self.machine()
        let step9 = machine.finishIfDone(queueEmpty: true)
        #expect(!step9)
        machine.inputEnded()
        #expect(!machine.mayRead(pending: 0, writable: true))
        let step10 = machine.finishIfDone(queueEmpty: false)
        #expect(!step10)
        machine.setStalled(true)
        let step11 = machine.finishIfDone(queueEmpty: true)
        #expect(!step11)
        machine.setStalled(false)
        let step12 = machine.finishIfDone(queueEmpty: true)
        #expect(step12)
        #expect(machine.phase == .closing)
        // Closing happens once.
        let step13 = machine.finishIfDone(queueEmpty: true)
        #expect(!step13)
        let step14 = machine.closeRequested()
        #expect(!step14)
    }

    @Test("draining stops reading and running requests, keeps answering, and ends when the queue is empty")
    func draining() {
        var machine = self.machine()
        let step15 = machine.beginDrain()
        #expect(step15)
        let step16 = machine.beginDrain()
        #expect(!step16)
        #expect(machine.phase == .draining)
        #expect(machine.readsLines)
        #expect(!machine.runsRequests)
        #expect(!machine.mayRead(pending: 0, writable: true))
        let step17 = machine.finishIfDone(queueEmpty: false)
        #expect(!step17)
        let step18 = machine.finishIfDone(queueEmpty: true)
        #expect(step18)
    }

    @Test("an overlong line stops reading lines; the connection ends once the queue, error included, is out")
    func overlongLine() {
        var machine = self.machine()
        machine.lineTooLong()
        #expect(!machine.readsLines)
        let step19 = machine.beginDrain()
        #expect(!step19)
        let step20 = machine.finishIfDone(queueEmpty: false)
        #expect(!step20)
        let step21 = machine.finishIfDone(queueEmpty: true)
        #expect(step21)
    }

    @Test("the idle timer closes only after the timeout without activity, and waits while busy")
    func idleTimer() {
        var machine = self.machine(idle: .seconds(10))
        let step22 = machine.firstIdleCheck()
        #expect(step22 == self.start + .seconds(10))
        machine.recordActivity(at: self.start + .seconds(4))
        let step23 = machine.idleCheck(now: self.start + .seconds(10), busy: false)
        #expect(step23 == .checkAgain(at: self.start + .seconds(14)))
        #expect(machine.idleCheckScheduled)
        let step24 = machine.idleCheck(now: self.start + .seconds(14), busy: true)
        #expect(step24 == .checkAgain(at: self.start + .seconds(24)))
        let step25 = machine.idleCheck(now: self.start + .seconds(24), busy: false)
        #expect(step25 == .close)
        #expect(machine.phase == .closing)
        #expect(!machine.idleCheckScheduled)
    }

    @Test("an exempted connection is not timed out; enabling the timeout again starts a new period")
    func idleExemption() {
        var machine = self.machine(idle: .seconds(10))
        _ = machine.firstIdleCheck()
        let step26 = machine.setIdleTimeoutEnabled(false, now: self.start + .seconds(1))
        #expect(step26 == nil)
        let step27 = machine.idleCheck(now: self.start + .seconds(10), busy: false)
        #expect(step27 == .stop)
        #expect(!machine.idleCheckScheduled)
        let step28 = machine.setIdleTimeoutEnabled(true, now: self.start + .seconds(50))
        #expect(step28 == self.start + .seconds(60))
        // A check is scheduled now; enabling again does not schedule a second one.
        let step29 = machine.setIdleTimeoutEnabled(true, now: self.start + .seconds(55))
        #expect(step29 == nil)
        let step30 = machine.idleCheck(now: self.start + .seconds(60), busy: false)
        #expect(step30 == .close)
    }

    @Test("without an idle timeout nothing is scheduled")
    func noIdleTimeout() {
        var machine = self.machine(idle: nil)
        let step31 = machine.firstIdleCheck()
        #expect(step31 == nil)
        let step32 = machine.setIdleTimeoutEnabled(true, now: self.start)
        #expect(step32 == nil)
        let step33 = machine.idleCheck(now: self.start + .hours(1), busy: false)
        #expect(step33 == .stop)
    }

    @Test("a closed connection stays closed")
    func closedStaysClosed() {
        var machine = self.machine()
        machine.closed()
        #expect(!machine.readsLines)
        let step34 = machine.closeRequested()
        #expect(!step34)
        let step35 = machine.beginDrain()
        #expect(!step35)
        let step36 = machine.finishIfDone(queueEmpty: true)
        #expect(!step36)
        let step37 = machine.firstIdleCheck()
        #expect(step37 == nil)
    }

    @Test("a closing connection can still be forced closed (the drain deadline), a closed one cannot")
    func forceCloseWhileClosing() {
        var machine = self.machine()
        machine.inputEnded()
        let finished = machine.finishIfDone(queueEmpty: true)
        #expect(finished && machine.phase == .closing)
        let again = machine.closeRequested()
        #expect(!again)
        let forced = machine.forceClose()
        #expect(forced)
        machine.closed()
        let afterClose = machine.forceClose()
        #expect(!afterClose)
    }
}
